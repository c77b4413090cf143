"""Printed metrics, errors and decision cues found in single lines and small blocks."""

from __future__ import annotations

import pytest

from researchos.distill.cues import alternative, cues, reason
from researchos.distill.metrics import inline_metrics, json_metrics
from researchos.distill.scan import Finding, TextScanner


def scan(text: str) -> list[Finding]:
    found: list[Finding] = []
    scanner = TextScanner(found.append, chars=600)
    for number, line in enumerate(text.split("\n"), start=1):
        scanner.line(number, 0, line)
    scanner.close()
    return found


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("test accuracy: 0.9312 (n=500)", {("test accuracy", 0.9312, None)}),
        (
            "Epoch 3/10 - loss: 0.4321 - val_acc: 0.8812",
            {("loss", 0.4321, None), ("val_acc", 0.8812, None)},
        ),
        ("accuracy 0.93 on the held-out set", {("accuracy", 0.93, None)}),
        ("reached 93.1% accuracy", {("accuracy", 93.1, "%")}),
        ("top-1 = 76.2%", {("top-1", 76.2, "%")}),
        ("rmse=1.2e-3", {("rmse", 0.0012, None)}),
        ("epoch 3 done, line: 12, seed=7", set()),
        ("sklearn 1.5.2 installed", set()),
    ],
)
def test_inline_metrics(line: str, expected: set[tuple[str, float, str | None]]) -> None:
    assert {(h.name, h.value, h.unit) for h in inline_metrics(line)} == expected


def test_inline_metric_spans_cover_name_and_value() -> None:
    line = "step 9 | val_loss: 1.297 | lr 1e-3"
    hit = inline_metrics(line)[0]
    assert line[hit.start : hit.end] == "val_loss: 1.297"


def test_json_metric_lines_in_both_shapes() -> None:
    contract = json_metrics('{"condition": "a", "seed": 1, "metric": "f1", "value": 0.71}')
    assert [(h.name, h.value) for h in contract or []] == [("f1", 0.71)]
    flat = json_metrics('{"epoch": 3, "metrics": {"accuracy": 0.9, "loss": 0.31}}')
    assert {(h.name, h.value) for h in flat or []} == {("accuracy", 0.9), ("loss", 0.31)}
    assert json_metrics("{not json}") is None


def test_whitespace_and_pipe_tables_name_rows() -> None:
    frame = (
        "       model  accuracy      f1\n"
        "0   logistic    0.9100  0.8900\n"
        "1     forest    0.9400  0.9300"
    )
    found = {(f.name, f.value, f.line_start) for f in scan(frame) if f.kind == "metric"}
    assert found == {
        ("accuracy (logistic)", 0.91, 2),
        ("f1 (logistic)", 0.89, 2),
        ("accuracy (forest)", 0.94, 3),
        ("f1 (forest)", 0.93, 3),
    }
    pipe = "| run | loss |\n|---|---|\n| a | 0.5 |\nno longer a table 0.7"
    assert [(f.name, f.value) for f in scan(pipe) if f.kind == "metric"] == [("loss (a)", 0.5)]


def test_a_traceback_is_one_error_spanning_its_lines() -> None:
    text = (
        "running\nTraceback (most recent call last):\n"
        "  File \"x.py\", line 1\n    f()\nKeyError: 'lr'\nafter"
    )
    errors = [f for f in scan(text) if f.kind == "error"]
    assert [(e.name, e.line_start, e.line_end) for e in errors] == [("KeyError", 2, 5)]
    assert errors[0].text.endswith("KeyError: 'lr'")


def test_single_line_errors_and_non_errors() -> None:
    found = scan(
        "bash: lightgbm: command not found\nerror: 0.07\n0 errors found\nFAILED tests/test_a.py"
    )
    errors = [(f.kind, f.line_start) for f in found]
    assert ("error", 1) in errors and ("metric", 2) in errors and ("error", 4) in errors
    assert not any(line == 3 for _, line in errors)


def test_decision_and_pivot_cues() -> None:
    text = (
        "The SVM fails on blanks. Let's use a median imputer instead of dropping rows because "
        "dropping biases the sample. That didn't work either. Let's try the forest."
    )
    found = list(cues(text))
    assert [c.signal for c in found] == ["decision", "pivot", "pivot"]
    decision = found[0]
    assert text[decision.start : decision.end] == decision.text
    assert alternative(decision.text) == "dropping rows"
    assert reason(decision.text) == "dropping biases the sample"
