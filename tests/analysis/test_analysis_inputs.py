"""Strict reading of metrics.jsonl: every malformed line names its file, line and field."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from analysis_data import write_lines

from researchos.analysis import AnalysisPlan, MetricsInput, analyse, load_metrics
from researchos.errors import InputError, UnsafeInput

GOOD = json.dumps({"condition": "a", "seed": 0, "metric": "acc", "value": 0.5})


@pytest.mark.parametrize(
    ("line", "field", "problem"),
    [
        ("{not json", None, "not valid JSON"),
        ("[1, 2]", None, "JSON object"),
        ('{"condition": "a", "seed": 1, "metric": "acc"}', "value", "missing"),
        ('{"condition": "a", "seed": 1, "metric": "acc", "value": "0.9"}', "value", "string"),
        ('{"condition": "a", "seed": 1, "metric": "acc", "value": true}', "value", "boolean"),
        ('{"condition": "a", "seed": "1", "metric": "acc", "value": 0.9}', "seed", "integer"),
        ('{"condition": "a", "seed": 1.5, "metric": "acc", "value": 0.9}', "seed", "integer"),
        ('{"condition": "", "seed": 1, "metric": "acc", "value": 0.9}', "condition", "non-empty"),
        ('{"condition": "a", "seed": 1, "metric": 3, "value": 0.9}', "metric", "string"),
        (
            '{"condition": "a", "seed": 1, "metric": "acc", "value": 1, "step": 2}',
            "step",
            "unknown",
        ),
    ],
)
def test_malformed_line_names_file_line_and_field(
    tmp_path: Path, line: str, field: str | None, problem: str
) -> None:
    path = tmp_path / "runs" / "metrics.jsonl"
    item = write_lines(path, [GOOD, "", line])
    with pytest.raises(InputError) as caught:
        load_metrics([item])
    assert caught.value.file == f"{path}:3"
    assert caught.value.field == field
    assert problem in str(caught.value)


def test_duplicate_measurement_across_files_is_refused(tmp_path: Path) -> None:
    first = write_lines(tmp_path / "r1" / "metrics.jsonl", [GOOD])
    second = write_lines(tmp_path / "r2" / "metrics.jsonl", [GOOD])
    second = MetricsInput(run_id="run-y", path=second.path)
    with pytest.raises(InputError, match="duplicate measurement") as caught:
        load_metrics([first, second])
    assert str(first.path) in str(caught.value) and str(second.path) in str(caught.value)


def test_sha256_mismatch_and_empty_and_missing_files(tmp_path: Path) -> None:
    item = write_lines(tmp_path / "metrics.jsonl", [GOOD])
    digest = hashlib.sha256(item.path.read_bytes()).hexdigest()
    assert load_metrics([MetricsInput("r", item.path, sha256=digest)]).inputs[0].sha256 == digest
    with pytest.raises(InputError, match="sha256") as caught:
        load_metrics([MetricsInput("r", item.path, sha256="0" * 64)])
    assert caught.value.field == "sha256"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", "utf-8")
    with pytest.raises(InputError, match="no metrics lines"):
        load_metrics([MetricsInput("r", empty)])
    with pytest.raises(InputError, match="does not exist"):
        load_metrics([MetricsInput("r", tmp_path / "nope.jsonl")])


def test_unit_must_be_consistent_and_paths_stay_under_evidence(tmp_path: Path) -> None:
    lines = [
        json.dumps({"condition": "a", "seed": 0, "metric": "t", "value": 1, "unit": "s"}),
        json.dumps({"condition": "a", "seed": 1, "metric": "t", "value": 2, "unit": "ms"}),
    ]
    with pytest.raises(InputError, match="unit") as caught:
        load_metrics([write_lines(tmp_path / "m.jsonl", lines)])
    assert caught.value.file is not None and caught.value.file.endswith("m.jsonl:2")
    item = write_lines(tmp_path / "ok.jsonl", [GOOD])
    with pytest.raises(UnsafeInput):
        load_metrics([MetricsInput("r", item.path, ara_path="evidence/../../x.jsonl")])
    with pytest.raises(InputError, match="run id"):
        load_metrics([MetricsInput("../r", item.path)])


def test_nonfinite_values_are_recorded_and_reported_never_dropped(tmp_path: Path) -> None:
    lines = [
        json.dumps({"condition": "base", "seed": s, "metric": "acc", "value": 0.5 + s / 100})
        for s in range(5)
    ] + [
        '{"condition": "new", "seed": 0, "metric": "acc", "value": NaN}',
        '{"condition": "new", "seed": 1, "metric": "acc", "value": Infinity}',
        '{"condition": "new", "seed": 2, "metric": "acc", "value": null}',
        '{"condition": "new", "seed": 3, "metric": "acc", "value": 0.61}',
        '{"condition": "new", "seed": 4, "metric": "acc", "value": 0.64}',
    ]
    item = write_lines(tmp_path / "m.jsonl", lines)
    table = load_metrics([item])
    assert [(o.line, o.value_text) for o in table.nonfinite] == [
        (6, "nan"),
        (7, "inf"),
        (8, "null"),
    ]
    result = analyse(AnalysisPlan(primary_metric="acc", baseline="base"), [item], figures=False)
    reported = result.report["nonfinite"]
    assert [(r["line"], r["value"], r["seed"]) for r in reported] == [
        (6, "nan", 0),
        (7, "inf", 1),
        (8, "null", 2),
    ]
    new_effect = next(c for c in result.claims if c["conditions"].get("condition") == "new")
    assert "nonfinite_values" in new_effect["flags"]
    assert "3 non-finite values were excluded" in new_effect["statement"]
    comparison = result.claims[-1]
    assert comparison["kind"] in ("comparison", "null_result")
    assert "seeds_excluded" in comparison["flags"]
    assert result.report["comparisons"][0]["excluded_seeds"] == [0, 1, 2]
    assert result.report["comparisons"][0]["test"]["n_treatment"] == 2
