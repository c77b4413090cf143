"""Only items that quote the transcript survive; the rest are rejected and counted."""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from researchos.app import App
from researchos.distill import Distiller
from researchos.distill.grounding import ground
from researchos.distill.proposal import DistillProposal
from researchos.errors import InputError
from researchos.providers.types import ModelRequest

ACCURACY = {"line_start": 8, "line_end": 8, "text": "test accuracy:   0.8123"}


def claim(statement: str, *quotes: dict[str, Any], value: float | None = None) -> dict[str, Any]:
    numbers = [{"value": value, "metric": "accuracy"}] if value is not None else []
    return {"statement": statement, "quotes": list(quotes), "numbers": numbers}


def answer(proposal: dict[str, Any]) -> Callable[[ModelRequest, random.Random], dict[str, Any]]:
    return lambda request, rng: proposal


MIXED = {
    "claims": [
        claim("The SVM reached test accuracy 0.8123.", ACCURACY, value=0.8123),
        claim("The SVM reached test accuracy 0.95.", ACCURACY, value=0.95),
        claim(
            "The model reached 0.99 accuracy.",
            {"line_start": 8, "line_end": 8, "text": "accuracy: 0.99"},
        ),
        claim("Nothing quoted at all."),
        claim("Quote past the end.", {"line_start": 90, "line_end": 95, "text": "test accuracy"}),
    ],
    "dead_ends": [
        {
            "title": "torch import failed",
            "hypothesis": "an MLP in PyTorch would beat the SVM",
            "tried": "python train_torch.py",
            "failure_mode": "ModuleNotFoundError",
            "lesson": "use scikit-learn's MLPClassifier",
            "failure_class": "infra",
            "quotes": [{"line_start": 10, "line_end": 10, "text": "No module named 'torch'"}],
        }
    ],
    "decisions": [
        {
            "title": "invented",
            "decision": "use XGBoost",
            "rationale": "it is faster",
            "quotes": [
                {"line_start": 5, "line_end": 5, "text": "let's use XGBoost because it is faster"}
            ],
        }
    ],
}


def test_ungrounded_items_are_rejected_and_counted(
    app: App, distiller: Distiller, fixtures: Path, answer_with: Callable[..., None]
) -> None:
    answer_with(answer(MIXED))
    report = distiller.distill(fixtures / "claude-session.jsonl")
    assert report.proposed == {"claims": 5, "dead_ends": 1, "decisions": 1, "checkpoints": 0}
    assert report.accepted == {"claims": 1, "dead_ends": 1, "decisions": 0, "checkpoints": 0}
    assert report.rejected == {"claims": 4, "dead_ends": 0, "decisions": 1, "checkpoints": 0}
    reasons = {r["item"]: r["reason"] for r in report.rejections}
    assert (
        reasons["The SVM reached test accuracy 0.95."] == "number(s) 0.95 not in the quoted spans"
    )
    assert "text not found on those lines" in reasons["The model reached 0.99 accuracy."]
    assert reasons["Nothing quoted at all."] == "quotes nothing from the transcript"
    assert "lines outside the transcript (1-13)" in reasons["Quote past the end."]
    assert "text not found" in reasons["invented"]
    claims = app.aras.claims(report.ara)
    assert [c.statement for c in claims] == ["The SVM reached test accuracy 0.8123."]
    assert claims[0].evidence[0].locator == "L8-L8"


def test_nothing_grounded_is_an_error_and_writes_nothing(
    app: App, distiller: Distiller, fixtures: Path, answer_with: Callable[..., None]
) -> None:
    answer_with(answer({"claims": [claim("Accuracy was 0.99.", ACCURACY, value=0.99)]}))
    head = subprocess.run(
        ["git", "-C", str(app.workspace.root), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout
    with pytest.raises(InputError, match="nothing grounded to distil"):
        distiller.distill(fixtures / "claude-session.jsonl")
    assert not (app.workspace.ara_dir / "session-claude-session").exists()
    after = subprocess.run(
        ["git", "-C", str(app.workspace.root), "log", "--format=%s", f"{head.strip()}..HEAD"],
        capture_output=True,
        text=True,
    ).stdout
    assert "ara" not in after


def test_cli_json_reports_the_rejections(
    cli: Callable[..., Any], fixtures: Path, answer_with: Callable[..., None]
) -> None:
    answer_with(answer(MIXED))
    assert cli("init").code == 0
    result = cli("distill", str(fixtures / "claude-session.jsonl"), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["rejected"]["claims"] == 4 and len(data["rejections"]) == 5
    shown = cli("distill", str(fixtures / "claude-session.jsonl"))
    assert "rejected claims: The SVM reached test accuracy 0.95." in " ".join(shown.out.split())


def test_quotes_match_across_whitespace_and_percent_forms() -> None:
    text = {1: "accuracy   93.1%\n  on the test set", 2: "other"}
    proposal = DistillProposal.model_validate(
        {
            "claims": [
                claim(
                    "Accuracy was 0.931.",
                    {"line_start": 1, "line_end": 1, "text": "accuracy 93.1% on the"},
                    value=0.931,
                ),
                claim(
                    "Accuracy was 0.93.",
                    {"line_start": 1, "line_end": 1, "text": "accuracy 93.1%"},
                    value=0.93,
                ),
                claim("Too short.", {"line_start": 2, "line_end": 2, "text": "ot"}),
            ]
        }
    )
    result = ground(proposal, lambda a, b: "\n".join(text[n] for n in range(a, b + 1)), 2)
    assert [g.item.statement for g in result.accepted] == ["Accuracy was 0.931."]  # type: ignore[union-attr]
    assert [r.reason for r in result.rejected] == [
        "number(s) 0.93 not in the quoted spans",
        "quote 1 (L2-L2): quote shorter than 4 characters",
    ]
