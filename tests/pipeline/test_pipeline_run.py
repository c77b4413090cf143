"""The whole pipeline in mock mode: real kits, real sandboxed runs, real statistics, a signed
package — with the human gates, the repair loop and the budget in the way."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import pytest

from researchos.artifacts.validate import validate_ara
from researchos.kits.models import KitSpec
from researchos.pipeline import approvals
from researchos.pipeline.engine import run_project
from researchos.pipeline.projects import create_project
from researchos.providers.mock import mock_responder, responders
from researchos.store import projects as store
from researchos.store import research

BRIEF = """# Does standardising features help k-NN on the wine dataset?
Compare k-NN with and without standardisation on wine; report accuracy with CIs."""
FAST = {"ideas": 12, "seeds": 3}


def stage_output(app, project_id, name):
    with app.database.session() as session:
        return store.stage_states(session, project_id=project_id)[name].output


def approve_pending(app, project_id) -> str:
    [pending] = approvals.pending_for_project(app, project_id=project_id)
    approvals.decide(app, approval_id=pending.id, decision="approve")
    return pending.gate


def test_hitl_pipeline_produces_measured_claims_and_a_verified_package(app):
    project = create_project(app, brief=BRIEF, hitl=True, mode="mock", options=FAST)
    gates = []
    outcome = run_project(app, project.id)
    while outcome.status == "waiting_approval":
        gates.append(approve_pending(app, project.id))
        outcome = run_project(app, project.id)
    assert outcome.status == "completed", outcome.error
    assert gates == ["post_shortlist", "post_pilot_evidence", "pre_package_freeze"]
    assert len(list(app.workspace.outbox_dir.glob("*.eml"))) == 3

    root = app.workspace.ara_path(project.ara_slug)
    assert validate_ara(root).ok
    claims = app.aras.claims(project.ara_slug)
    assert {c.kind for c in claims} >= {"effect"}
    # every effect claim's mean is the mean of the values in the evidence it cites
    for claim in (c for c in claims if c.kind == "effect"):
        metric, condition = claim.conditions["metric"], claim.conditions["condition"]
        values = []
        for ref in (r for r in claim.evidence if r.path.startswith("evidence/raw/runs/")):
            for line in (root / ref.path).read_text().splitlines():
                row = json.loads(line)
                if row["metric"] == metric and row["condition"] == condition:
                    values.append(row["value"])
        assert len(values) == FAST["seeds"]
        mean = next(n for n in claim.numbers if n.metric == f"{metric}:mean[{condition}]")
        assert mean.value == pytest.approx(statistics.fmean(values), rel=1e-3)
        assert "MOCK" in claim.flags
    rejected = [
        t for t in app.aras.traces(project.ara_slug, "failure") if t.failure_class == "abandoned"
    ]
    assert len(rejected) == FAST["ideas"] - 1
    package = stage_output(app, project.id, "package")
    assert package["verified"] and package["mock"]
    assert app.packages.verify(Path(package["zip"])).ok
    with app.database.session() as session:
        runs = research.list_runs(session, project_id=project.id)
    spec = KitSpec.from_dict(research.list_specs(session, project_id=project.id)[0].payload)
    assert {(r.condition, r.seed) for r in runs if r.result_class == "succeeded_valid"} == set(
        spec.runs()
    )
    assert (root / "code/reproduce.sh").stat().st_mode & 0o111
    review = stage_output(app, project.id, "review")["readiness"]
    assert review["tier"] == "mock-demo" and review["quality_score"] <= 60


def test_broken_code_is_repaired_and_every_failure_is_a_trace(app):
    calls = {"n": 0}
    from researchos.kits.registry import get_kit

    original = responders.find_responder("code_generation")
    responders.unregister("code_generation")

    @mock_responder("code_generation")
    def flaky(request, rng):
        calls["n"] += 1
        spec = KitSpec.from_dict(request.context["spec"])
        files = get_kit(spec.kit).build(spec)
        if request.context["attempt"] == 0:  # the first version crashes on every run
            files["main.py"] = files["main.py"].replace(
                'if __name__ == "__main__":',
                'raise RuntimeError("first draft bug")\n\nif __name__ == "__main__":',
            )
        return {"files": [{"path": p, "content": c} for p, c in files.items()], "notes": ""}

    try:
        project = create_project(app, brief=BRIEF, mode="mock", options=FAST)
        outcome = run_project(app, project.id)
    finally:
        responders.unregister("code_generation")
        mock_responder("code_generation")(original)
    assert outcome.status == "completed", outcome.error
    bugs = [t for t in app.aras.traces(project.ara_slug, "failure") if t.failure_class == "bug"]
    assert bugs and "first draft bug" in bugs[0].why_failed
    assert stage_output(app, project.id, "code")["repairs"] >= 1
    assert calls["n"] >= 2


def test_a_run_over_budget_is_refused_with_402_and_resumes_after_a_raise(app):
    from researchos.pipeline import budget
    from researchos.pipeline.stages import ordered_stages

    project = create_project(app, brief=BRIEF, mode="mock", options=FAST)
    until_code = [s for s in ordered_stages() if s.order <= 40]
    assert run_project(app, project.id, stages=until_code).status == "completed"
    budget.set_limit(app, project_id=project.id, resource="cpu_s", amount=0.001)
    outcome = run_project(app, project.id)
    assert outcome.status == "failed"
    assert "pilot" in outcome.error and "researchos project budget" in outcome.error
    budget.set_limit(app, project_id=project.id, resource="cpu_s", amount=3600)
    assert run_project(app, project.id).status == "completed"


def test_invalid_json_from_a_real_model_fails_the_stage_cleanly(clean_env, monkeypatch):
    sys.path.insert(0, str(Path(__file__).parents[1] / "providers"))
    from provider_fakes import FakeUpstream

    from researchos.app import build_app
    from researchos.settings import load_settings

    upstream = FakeUpstream().start()
    try:
        monkeypatch.setenv("OPENAI_API_KEY", upstream.key)
        monkeypatch.setenv("RESEARCHOS_OPENAI_BASE_URL", upstream.url)
        monkeypatch.setenv("RESEARCHOS_MODEL_BALANCED", "gpt-5")
        monkeypatch.setenv("RESEARCHOS_PROVIDER_MAX_RETRIES", "0")
        app = build_app(load_settings(), create=True)
        upstream.reply("gpt-5", "this is not JSON", "{still not json")
        project = create_project(app, brief=BRIEF, mode="production", options=FAST)
        outcome = run_project(app, project.id)
        assert outcome.status == "failed" and outcome.error.startswith("ideas:")
        with app.database.session() as session:
            assert research.list_ideas(session, project_id=project.id) == []
        assert not (
            app.workspace.ara_path(project.ara_slug) / "evidence/raw/pipeline/ideas.json"
        ).exists()
        app.close()
    finally:
        upstream.stop()
