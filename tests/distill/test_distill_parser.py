"""The deterministic parser on real transcript files: formats, exact spans, bad input, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from researchos.distill import Limits
from researchos.distill.events import Event
from researchos.distill.parser import ParsedSession, parse_transcript
from researchos.errors import InputError

LIMITS = Limits()


def parse(path: Path, **limits: object) -> ParsedSession:
    return parse_transcript(path, limits=Limits(**limits), display=path.name)  # type: ignore[arg-type]


def of_kind(session: ParsedSession, kind: str) -> list[Event]:
    return [e for e in session.events if e.kind == kind]


def jsonl_line(path: Path, number: int) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text().splitlines()[number - 1])


def test_claude_session_events_point_at_exact_characters(fixtures: Path) -> None:
    path = fixtures / "claude-session.jsonl"
    session = parse(path)
    assert session.format == "claude" and session.lines == 13
    assert session.title == "Churn classifier: impute NaNs, compare SVM and MLP"
    accuracy = next(e for e in of_kind(session, "metric") if e.name == "test accuracy")
    assert (accuracy.value, accuracy.span.locator, accuracy.span.block) == (
        0.8123,
        "L8-L8",
        "message.content[0]",
    )
    printed = jsonl_line(path, 8)["message"]["content"][0]["content"][0]["text"]
    assert printed[accuracy.span.char_start : accuracy.span.char_end] == "test accuracy: 0.8123"
    commands = [e.text for e in of_kind(session, "command")]
    assert commands[0] == "python train.py --model svm --seed 7"
    errors = {e.name: e for e in of_kind(session, "error")}
    assert set(errors) == {"ValueError", "ModuleNotFoundError"}
    result = jsonl_line(path, 4)["message"]["content"][0]["content"]
    span = errors["ValueError"].span
    assert result[span.char_start : span.char_end].startswith("Traceback (most recent call last)")
    assert result[span.char_start : span.char_end].endswith("ValueError: Input X contains NaN.")
    edit = of_kind(session, "edit")[0]
    assert edit.name.endswith("churn/train.py") and edit.span.locator == "L5-L5"
    decision = next(e for e in of_kind(session, "message") if e.signal == "decision")
    said = jsonl_line(path, 5)["message"]["content"][0]["text"]
    assert said[decision.span.char_start : decision.span.char_end] == decision.text
    assert decision.text.startswith("Let's use a SimpleImputer")


def test_table_rows_and_json_metric_lines_are_metrics(fixtures: Path) -> None:
    session = parse(fixtures / "claude-session.jsonl")
    found = {(e.name, e.value) for e in of_kind(session, "metric")}
    assert {("accuracy (mlp)", 0.8371), ("f1 (mlp)", 0.6518), ("roc_auc", 0.8845)} <= found


def test_codex_rollout_reads_calls_outputs_patches_and_exit_codes(fixtures: Path) -> None:
    path = fixtures / "codex-rollout.jsonl"
    session = parse(path)
    assert session.format == "codex"
    assert session.first_prompt.startswith("Fine-tune the small char-LM")  # boilerplate skipped
    assert [e.text for e in of_kind(session, "command")] == [
        "python finetune.py --lr 3e-3 --batch 256",
        "python finetune.py --lr 1e-3 --batch 256 --warmup 200",
    ]
    error = of_kind(session, "error")[0]
    assert error.name == "RuntimeError" and error.span.locator == "L8-L8"
    assert of_kind(session, "edit")[0].name == "finetune.py"
    ppl = next(e for e in of_kind(session, "metric") if e.name == "val_ppl")
    assert ppl.value == 3.66 and ppl.span.block == "payload.output"
    output = json.loads(jsonl_line(path, 13)["payload"]["output"])["output"]
    assert output[ppl.span.char_start : ppl.span.char_end] == "val_ppl: 3.66"
    assert not any("Planning a first run" in e.text for e in session.events)  # reasoning


def test_notebook_spans_point_at_lines_of_its_rendering(fixtures: Path) -> None:
    session = parse(fixtures / "wine-analysis.ipynb")
    assert session.format == "notebook" and session.stats.images_dropped == 1
    rendering = _render(fixtures / "wine-analysis.ipynb", session)
    error = of_kind(session, "error")[0]
    assert error.name == "NameError" and len(of_kind(session, "error")) == 1
    line = rendering[error.span.line_start - 1]
    assert line == "NameError: name 'cross_val_score' is not defined"
    ridge = next(e for e in of_kind(session, "metric") if e.name == "ridge accuracy")
    assert rendering[ridge.span.line_start - 1].startswith("ridge accuracy: 0.9833")
    cell = of_kind(session, "command")[0]
    assert rendering[cell.span.line_start - 1] == "import pandas as pd"
    assert rendering[cell.span.line_end - 1] == "print(X.shape)"


def _render(path: Path, session: ParsedSession) -> list[str]:
    from researchos.distill.parser import read_spans

    return read_spans(session, set(), limits=LIMITS).full.decode().splitlines()  # type: ignore[union-attr]


def test_plain_text_tracebacks_span_their_lines_and_commands_skip_the_prompt(
    fixtures: Path,
) -> None:
    path = fixtures / "terminal-session.txt"
    session = parse(path)
    lines = path.read_text().splitlines()
    assert session.format == "text"
    error = of_kind(session, "error")[0]
    assert (error.name, error.span.line_start, error.span.line_end) == ("ModuleNotFoundError", 3, 6)
    command = of_kind(session, "command")[0]
    assert lines[1][command.span.char_start : command.span.char_end] == command.text
    assert command.text == "python fit.py --model gbm --seed 11"
    assert {(e.name, e.value) for e in of_kind(session, "metric")} >= {("mean AUC", 0.7804)}


@pytest.mark.parametrize(
    ("name", "forced", "expected"),
    [
        ("claude-session.jsonl", None, "claude"),
        ("codex-rollout.jsonl", None, "codex"),
        ("wine-analysis.ipynb", None, "notebook"),
        ("terminal-session.txt", None, "text"),
        ("garbled.jsonl", "text", "text"),
    ],
)
def test_formats_are_detected_or_forced(
    fixtures: Path, name: str, forced: str | None, expected: str
) -> None:
    session = parse_transcript(fixtures / name, limits=LIMITS, fmt=forced)
    assert session.format == expected


def test_a_garbled_line_is_an_error_naming_file_and_line(fixtures: Path) -> None:
    with pytest.raises(InputError) as caught:
        parse(fixtures / "garbled.jsonl")
    assert caught.value.file == "garbled.jsonl" and caught.value.field == "line 6"
    assert "not valid JSON" in str(caught.value) and "--format text" in str(caught.value)


def test_a_truncated_final_line_is_tolerated_and_reported(fixtures: Path) -> None:
    session = parse(fixtures / "truncated.jsonl")
    assert session.stats.truncated_line == 13
    assert session.warnings() == ["final line 13 is truncated; it was ignored"]
    assert of_kind(session, "metric")  # everything before it is read


def test_json_lines_of_an_unknown_shape_ask_for_a_format(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"event": "start"}\n{"event": "stop"}\n')
    with pytest.raises(InputError, match="pass --format"):
        parse(path)


def test_empty_binary_and_oversized_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    big = tmp_path / "big.txt"
    big.write_text("x" * 4096)
    with pytest.raises(InputError, match="is empty"):
        parse(empty)
    with pytest.raises(InputError, match="looks binary"):
        parse(binary)
    with pytest.raises(InputError, match="RESEARCHOS_DISTILL_MAX_MB"):
        parse(big, max_bytes=1024)


def test_a_line_over_the_line_limit_is_skipped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_text("$ python run.py\n" + "y" * 5000 + "\naccuracy: 0.91\n")
    session = parse(path, max_line_bytes=1024)
    assert session.stats.oversize_lines == [2] and session.lines == 3
    metric = of_kind(session, "metric")[0]
    assert metric.span.line_start == 3 and metric.value == 0.91


def test_a_huge_notebook_keeps_bounded_outputs_and_counts_dropped_images(tmp_path: Path) -> None:
    cells = []
    for index in range(40):
        chatter = "".join(f"step {i} loss={1 / (i + 1):.4f}\n" for i in range(3000))
        cells.append(
            {
                "cell_type": "code",
                "source": f"train(run={index})",
                "execution_count": index + 1,
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": chatter},
                    {"output_type": "display_data", "data": {"image/png": "A" * 200_000}},
                ],
            }
        )
    path = tmp_path / "huge.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": cells}))
    assert path.stat().st_size > 8_000_000
    session = parse(path, output_chars=2_000)
    assert session.stats.images_dropped == 40 and session.stats.outputs_truncated == 40
    assert session.lines < 40 * 200  # outputs were cut, not copied whole
    assert "40 image(s) dropped" in session.warnings()


def test_the_event_log_keeps_signal_and_counts_what_it_drops(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    chatter = "".join(f"Assistant: plain note {i}\n" for i in range(300))
    path.write_text("User: start\n" + chatter + "$ python a.py\nValueError: bad\naccuracy 0.9\n")
    session = parse(path, max_events=10)
    kinds = [e.kind for e in session.events]
    assert {"command", "error", "metric"} <= set(kinds)
    assert sum(session.dropped.values()) > 0
    assert any("not kept" in note for note in session.warnings())
