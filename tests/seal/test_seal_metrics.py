"""``researchos metrics`` from a workspace with a few ARAs, seals, runs and skills."""

from __future__ import annotations

import json
from datetime import date

from seal_data import claim, make_ara

from researchos.metrics import collect, render_report, write_report
from researchos.runs.models import RunSpec

SKILLS = """---
format_version: 1
role: builder
last_id: 2
skills:
{skills}
---
# Skills of builder
"""


def _skills(adopted: list[bool]) -> str:
    items = "\n".join(
        f"- id: S{i:04d}\n  text: skill {i}\n  added_by: user:ana\n  adopted: {str(a).lower()}"
        for i, a in enumerate(adopted, 1)
    )
    return SKILLS.format(skills=items)


def _failure(app, slug, title, **fields):
    data = {"title": title, "tried": "x", "why_failed": "y", "failure_class": "bug", **fields}
    app.aras.add_trace(slug, "failure", data)


def _workspace(app):
    assert app.seal.seal("mc-pi").passed  # one full seal: L1-L3 pass, claims promoted
    make_ara(app, "alpha", claims=[claim(), claim("C0002", evidence=[], numbers=[])])
    assert not app.seal.seal("alpha").passed  # L1 fails: C0002 cites nothing
    _failure(app, "alpha", "complete", hypothesis="h", lesson="l")
    _failure(app, "alpha", "no lesson", hypothesis="h", discount_after="2020-01-01")
    skills = app.workspace.root / "agents/builder/skills.md"
    skills.parent.mkdir(parents=True, exist_ok=True)
    for adopted in ([True, False], [True, True]):
        skills.write_text(_skills(adopted))
        app.workspace.git.run("add", "agents")
        app.workspace.git.run("commit", "-qm", "skills")
    crashed = app.runs.run(RunSpec(command=["python", "-c", "pass"], runner="docker"))
    assert crashed.result_class == "sandbox_error"


def test_every_metric_is_computed_from_files_and_store(kit_app):
    _workspace(kit_app)
    report = collect(kit_app, today=date(2026, 1, 1))
    shown = {name: (r.numerator, r.denominator) for name, r in report.ratios.items()}
    assert shown == {
        "claim_coverage": (7, 8),
        "trace_completeness": (1, 2),
        "traces_past_discount_after": (1, 2),
        "reproduction_pass_rate": (1, 1),
        "l2_disagreement_rate": (0, 6),
        "seal_rejection_rate": (1, 2),
        "sandbox_crash_rate": (1, 3),  # the kit's first run, the L3 re-run, the docker refusal
    }
    lag = report.promotion_lag
    assert lag["promotions"] >= 1 and lag["median_hours"] >= 0
    assert [p["adopted"] for p in report.skill_curve] == [1, 2]
    tiers = {row["key"]: row["calls"] for row in report.tier_usage}
    assert tiers == {"balanced": 1, "strong": 1}  # one batch per reviewer


def test_the_report_is_written_as_one_metrics_commit(kit_app, cli):
    _workspace(kit_app)
    result = cli("metrics", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["claim_coverage"]["value"] == 7 / 8
    assert data["reproduction_pass_rate"]["value"] == 1.0
    text = (kit_app.workspace.root / "system/metrics-report.md").read_text()
    assert "| claim coverage | 87.5% (7/8) |" in text
    assert "| sandbox crash rate | 33.3% (1/3) |" in text
    assert "| mc-pi | sealed | 6 | 6 | 0 | 0 | 0 | pass | pass | pass |" in text
    subject = kit_app.workspace.git.run("log", "-1", "--format=%s").stdout.strip()
    assert subject == "metrics.report(workspace): metrics report: 2 ARA(s)"
    assert render_report(collect(kit_app)).startswith("# Metrics report")


def test_an_empty_workspace_reports_nothing_to_count(app):
    report = write_report(app, collect(app), render_report(collect(app)))
    assert all(r.value is None for r in report.ratios.values())
    assert report.commit is not None
    text = (app.workspace.root / "system/metrics-report.md").read_text()
    assert "| claim coverage | n/a (0/0) |" in text
