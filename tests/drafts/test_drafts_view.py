"""``researchos view`` compiles a paper that passes its own alignment check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from researchos.analysis import AnalysisPlan, MetricsInput, analyse, write_analysis
from researchos.app import App
from researchos.drafts import AraSnapshot, check_alignment, render_paper
from researchos.history.commits import read_log
from researchos.history.git import Git


def write_runs(directory: Path, values: dict[str, np.ndarray], mock: bool) -> list[MetricsInput]:
    inputs = []
    for condition, series in values.items():
        for seed, value in enumerate(series):
            path = directory / f"{condition}-{seed}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            line = {"condition": condition, "seed": seed, "metric": "accuracy", "value": value}
            path.write_text(json.dumps(line) + "\n", "utf-8")
            inputs.append(MetricsInput(run_id=f"{condition}-{seed}", path=path, mock=mock))
    return inputs


def _populate(app: App, tmp_path: Path) -> None:
    app.aras.create(title="Scaling study", slug="paper", mode="mock", authors=["Ada"])
    rng = np.random.default_rng(11)
    base = 0.8 + rng.normal(0, 0.01, 8)
    values = {"base": base, "good": base + 0.04 + rng.normal(0, 0.005, 8), "same": base.copy()}
    inputs = write_runs(tmp_path / "runs", values, mock=True)
    plan = AnalysisPlan(primary_metric="accuracy", baseline="base")
    write_analysis(app, "paper", analyse(plan, inputs, context={"dataset": "iris"}))
    app.aras.add_trace(
        "paper",
        "failure",
        {
            "title": "Learning rate 0.3 diverged",
            "tried": "Training with lr = 0.3 for 50 epochs on 2024-03-01.",
            "why_failed": "Loss became NaN after 12 epochs; accuracy fell to 0.11.",
            "failure_class": "negative_result",
            "lesson": "Keep lr at or below 0.01.",
        },
    )
    app.aras.add_claim(
        "paper", {"id": "Old", "statement": "An early guess of 0.99.", "status": "withdrawn"}
    )
    app.aras.add_claim("paper", {"id": "Guess", "statement": "Depth 3 may help by 2%."})


def test_view_writes_a_paper_that_passes_its_own_alignment_check(
    app: App, tmp_path: Path, cli
) -> None:
    _populate(app, tmp_path)
    result = cli("view", "paper", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["changed"] is True and data["issues"] == []
    paper = (app.workspace.root / "ara/paper/views/paper.md").read_text("utf-8")
    claims = app.aras.claims("paper")
    for claim in claims:
        if claim.status != "withdrawn":
            assert paper.count(f"[claim:{claim.id}]") == 1
    open_section = paper.split("## Open and untested claims")[1].split("##")[0]
    assert "[claim:Guess]" in open_section
    assert "[claim:Old]" not in paper and "`Old` (withdrawn)" in paper
    assert "## Dead ends" in paper and "Learning rate 0.3 diverged" in paper
    assert "## Null and negative results" in paper and "**MOCK**" in paper
    assert "](../evidence/figures/" in paper
    assert check_alignment(paper, claims) == []
    events = [e.event for e in read_log(Git(app.workspace.root), ara="paper", limit=1)]
    assert events == ["view.compile"]
    check = cli("draft", "check", "paper")
    assert check.code == 0 and "no issues" in check.out


def test_view_is_deterministic_and_does_not_commit_an_unchanged_paper(
    app: App, tmp_path: Path, cli
) -> None:
    _populate(app, tmp_path)
    snapshot = AraSnapshot.load(app.aras, "paper")
    assert render_paper(snapshot) == render_paper(AraSnapshot.load(app.aras, "paper"))
    assert cli("view", "paper").code == 0
    head = Git(app.workspace.root).head()
    again = cli("view", "paper")
    assert again.code == 0 and "unchanged" in again.out
    assert Git(app.workspace.root).head() == head


def test_draft_check_flags_a_hand_edited_draft(app: App, tmp_path: Path, cli) -> None:
    _populate(app, tmp_path)
    claim = next(c for c in app.aras.claims("paper") if c.kind == "comparison")
    mean = next(n for n in claim.numbers if ":mean[good]" in (n.metric or ""))
    draft = tmp_path / "draft.md"
    draft.write_text(
        f"# Draft\n\nGood reaches {mean.value * 1.023:.3f} [claim:{claim.id}].\n\n"
        "We also cite [claim:C4242].\n",
        "utf-8",
    )
    result = cli("draft", "check", "paper", "--file", str(draft), "--json")
    assert result.code == 1
    data = json.loads(result.out)
    assert data["blocking"] == 2
    assert [(i["severity"], i["line"]) for i in data["issues"]] == [("P1", 3), ("P0", 5)]
    missing = cli("draft", "check", "paper", "--file", str(tmp_path / "none.md"))
    assert missing.code == 1 and "no such markdown file" in " ".join(missing.err.split())
