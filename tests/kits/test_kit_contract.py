"""The run contract shipped with every built-in program refuses bad input with a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from researchos.kits.programs.contract import (
    ContractError,
    Run,
    check_params,
    load_run,
    write_metrics,
)

SCHEMA = {
    "model": {"type": "str", "choices": ["a", "b"]},
    "scale": {"type": "bool", "default": False},
    "rate": {"type": "float", "min": 0.0, "max": 1.0, "default": 0.5},
    "k": {"type": "int", "min": 1, "max": 9, "default": 3},
    "sizes": {"type": "int_list", "min": 2, "max": 100, "max_len": 3, "default": [2, 4]},
}


@pytest.fixture
def code(tmp_path: Path) -> Path:
    document = {
        "experiment": "demo",
        "conditions": {"arm-a": {"model": "a"}, "arm-b": {"model": "b", "k": 5}},
        "parameters": {"rate": 0.25},
        "schema": SCHEMA,
    }
    (tmp_path / "experiment.json").write_text(json.dumps(document), encoding="utf-8")
    return tmp_path


def env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    values = {
        "RESEARCHOS_CONDITION": "arm-b",
        "RESEARCHOS_SEED": "7",
        "RESEARCHOS_OUTPUT_DIR": str(tmp_path / "out"),
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value != "<unset>"}


def test_a_run_merges_defaults_shared_parameters_condition_and_overrides(code: Path) -> None:
    run = load_run(env(code, RESEARCHOS_PARAMS='{"scale": true}'), code)
    assert (run.condition, run.seed, run.experiment) == ("arm-b", 7, "demo")
    assert run.params == {"model": "b", "scale": True, "rate": 0.25, "k": 5, "sizes": [2, 4]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"RESEARCHOS_CONDITION": "arm-z"},
            "unknown condition 'arm-z' in RESEARCHOS_CONDITION; known conditions: arm-a, arm-b",
        ),
        ({"RESEARCHOS_CONDITION": "<unset>"}, "RESEARCHOS_CONDITION is not set"),
        ({"RESEARCHOS_SEED": "seven"}, "RESEARCHOS_SEED must be an integer, got 'seven'"),
        ({"RESEARCHOS_SEED": "-1"}, "RESEARCHOS_SEED must be between 0 and"),
        ({"RESEARCHOS_OUTPUT_DIR": "<unset>"}, "RESEARCHOS_OUTPUT_DIR is not set"),
        ({"RESEARCHOS_PARAMS": "{oops"}, "RESEARCHOS_PARAMS is not valid JSON"),
        ({"RESEARCHOS_PARAMS": "[1]"}, "must be a JSON object"),
        ({"RESEARCHOS_PARAMS": '{"kk": 1}'}, "unknown parameter(s) ['kk']"),
        ({"RESEARCHOS_PARAMS": '{"k": 10}'}, "parameter 'k' = 10 is outside [1, 9]"),
        ({"RESEARCHOS_PARAMS": '{"k": true}'}, "parameter 'k' must be an integer, got True"),
        ({"RESEARCHOS_PARAMS": '{"scale": 1}'}, "parameter 'scale' must be true or false"),
        (
            {"RESEARCHOS_PARAMS": '{"model": "c"}'},
            "parameter 'model' = 'c' is not one of ['a', 'b']",
        ),
        ({"RESEARCHOS_PARAMS": '{"sizes": [2, 3, 4, 5]}'}, "more than 3 items"),
        ({"RESEARCHOS_PARAMS": '{"sizes": []}'}, "a non-empty list of integers"),
    ],
)
def test_bad_input_is_a_contract_error_naming_the_problem(
    code: Path, overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ContractError) as caught:
        load_run(env(code, **overrides), code)
    assert message in str(caught.value)


def test_a_missing_or_broken_experiment_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"experiment\.json is missing"):
        load_run(env(tmp_path), tmp_path)
    (tmp_path / "experiment.json").write_text("{", encoding="utf-8")
    with pytest.raises(ContractError, match=r"experiment\.json is not valid JSON"):
        load_run(env(tmp_path), tmp_path)


def test_a_required_parameter_must_be_given() -> None:
    with pytest.raises(ContractError, match="parameter 'model' is required"):
        check_params({}, SCHEMA, where="spec")


def test_metrics_are_written_whole_and_never_as_nan(tmp_path: Path) -> None:
    run = Run("demo", "arm-a", 3, {}, tmp_path)
    path = write_metrics(run, {"accuracy": 0.5, "count": 2})
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == [
        {"condition": "arm-a", "metric": "accuracy", "seed": 3, "value": 0.5},
        {"condition": "arm-a", "metric": "count", "seed": 3, "value": 2.0},
    ]
    with pytest.raises(ValueError, match="metric 'bad' is not finite"):
        write_metrics(run, {"good": 1.0, "bad": float("nan")})
    assert path.read_text().count("\n") == 2  # the earlier file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.jsonl"]


def test_output_names_cannot_leave_the_output_dir(tmp_path: Path) -> None:
    run = Run("demo", "arm-a", 3, {}, tmp_path)
    for name in ("../x.csv", "a/b.csv", ".hidden", ""):
        with pytest.raises(ContractError):
            run.output_path(name)
