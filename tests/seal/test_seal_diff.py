"""The L3 numeric diff on JSON, JSON lines, CSV and text files."""

from __future__ import annotations

import json

from researchos.seal.diff import MAX_PER_FILE, diff_file
from researchos.seal.numbers import Tolerance

TIGHT = Tolerance(relative=0.01, absolute=1e-9)


def _diff(tmp_path, name, expected, actual, tol=TIGHT):
    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "b").mkdir(exist_ok=True)
    (tmp_path / "a" / name).write_text(expected)
    (tmp_path / "b" / name).write_text(actual)
    return [
        (d.field, d.expected, d.actual)
        for d in diff_file(tmp_path / "a" / name, tmp_path / "b" / name, tol)
    ]


def test_json_differences_are_named_by_json_pointer(tmp_path):
    expected = {"acc": 0.9, "runs": [{"loss": 1.0}, {"loss": 2.0}], "name": "x", "gone": 1}
    actual = {"acc": 0.9049, "runs": [{"loss": 1.0}, {"loss": 2.046}], "name": "y", "new": 2}
    found = _diff(tmp_path, "r.json", json.dumps(expected), json.dumps(actual))
    assert found == [
        ("/runs/1/loss", "2.0", "2.046"),
        ("/name", '"x"', '"y"'),
        ("/gone", "1", None),
        ("/new", None, "2"),
    ]


def test_jsonl_differences_name_the_line(tmp_path):
    row = {"condition": "a", "seed": 0, "metric": "m", "value": 1.0}
    left = "\n".join(json.dumps({**row, "seed": s}) for s in range(3)) + "\n"
    right = left.replace(
        '"seed": 2, "metric": "m", "value": 1.0', '"seed": 2, "metric": "m", "value": 1.023'
    )
    assert _diff(tmp_path, "m.jsonl", left, right) == [("line 3 /value", "1.0", "1.023")]
    assert _diff(tmp_path, "m.jsonl", left, left + json.dumps(row) + "\n") == [("lines", "3", "4")]


def test_csv_differences_name_row_and_column(tmp_path):
    left = "seed,accuracy,label\n0,0.91,ok\n1,0.92,ok\n"
    right = "seed,accuracy,label\n0,0.91,ok\n1,0.94116,bad\n"
    assert _diff(tmp_path, "t.csv", left, right) == [
        ("row 3, column accuracy", "0.92", "0.94116"),
        ("row 3, column label", '"ok"', '"bad"'),
    ]


def test_numbers_in_text_are_compared_within_tolerance(tmp_path):
    left = "epoch 1: loss 0.500 acc 91.0%\nepoch 2: loss 0.400 acc 92.0%\n"
    inside = "epoch 1: loss 0.5004 acc 91.0%\nepoch 2: loss 0.400 acc 92.0%\n"
    outside = "epoch 1: loss 0.500 acc 91.0%\nepoch 2: loss 0.400 acc 94.116%\n"
    assert _diff(tmp_path, "log.txt", left, inside) == []
    assert _diff(tmp_path, "log.txt", left, outside) == [("line 2, column 25", "92.0", "94.116")]
    words = "epoch 1: loss 0.500 acc 91.0%\nepoch 2: LOSS 0.400 acc 92.0%\n"
    assert _diff(tmp_path, "log.txt", left, words)[0][0] == "line 2"


def test_a_2_3_percent_move_fails_the_policy_default_but_1_percent_tolerance_is_honoured(tmp_path):
    assert _diff(tmp_path, "x.json", '{"v": 100.0}', '{"v": 102.3}')[0][0] == "/v"
    assert _diff(tmp_path, "x.json", '{"v": 100.0}', '{"v": 100.9}') == []


def test_binary_files_must_be_identical_and_output_is_bounded(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "f.png").write_bytes(b"\x89PNG\xff\x00")
    (tmp_path / "b" / "f.png").write_bytes(b"\x89PNG\xff\x01")
    found = diff_file(tmp_path / "a" / "f.png", tmp_path / "b" / "f.png", TIGHT)
    assert [(d.field, d.message) for d in found] == [("bytes", "binary file differs")]
    many = _diff(
        tmp_path, "m.json", json.dumps(list(range(50))), json.dumps([x + 1 for x in range(50)])
    )
    assert len(many) == MAX_PER_FILE + 1 and many[-1][0] == "…"
