"""The run contract of DESIGN §5, shipped next to every built-in experiment program.

A kit copies this file verbatim into the experiment's code directory, so it uses the standard
library only and never imports ResearchOS. ResearchOS imports it too, to validate parameters
at spec time with exactly the rules the program applies at run time.

Contract: the program reads ``RESEARCHOS_SEED``, ``RESEARCHOS_CONDITION``,
``RESEARCHOS_OUTPUT_DIR`` and optionally ``RESEARCHOS_PARAMS`` (a JSON object of overrides),
and writes ``metrics.jsonl`` lines ``{"condition", "seed", "metric", "value"}`` into the output
directory. Bad input exits with status 2 and one ``error:`` line on stderr; a crash exits 1.
"""

from __future__ import annotations

import json
import math
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXPERIMENT_FILE = "experiment.json"
METRICS_FILE = "metrics.jsonl"
SEED_MAX = 2**32 - 1
EXIT_BAD_INPUT = 2
EXIT_CRASH = 1

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class ContractError(Exception):
    """Bad input: the message names the variable or parameter and how to fix it."""


@dataclass(frozen=True)
class Run:
    """One run of one condition with one seed, with its parameters fully resolved."""

    experiment: str
    condition: str
    seed: int
    params: dict[str, Any]
    output_dir: Path

    def output_path(self, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ContractError(f"output file name {name!r} must be a plain file name")
        return self.output_dir / name


# --- parameters -----------------------------------------------------------------------------


def _type_error(where: str, key: str, kind: str, value: Any) -> ContractError:
    return ContractError(f"{where}: parameter {key!r} must be {kind}, got {value!r}")


def _check_number(where: str, key: str, value: Any, rule: Mapping[str, Any]) -> None:
    low, high = rule.get("min"), rule.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ContractError(f"{where}: parameter {key!r} = {value!r} is outside [{low}, {high}]")


def _check_scalar(where: str, key: str, value: Any, rule: Mapping[str, Any]) -> Any:
    kind = rule["type"]
    if kind == "bool":
        if not isinstance(value, bool):
            raise _type_error(where, key, "true or false", value)
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise _type_error(where, key, "a string", value)
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(where, key, "an integer", value)
        _check_number(where, key, value, rule)
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(where, key, "a number", value)
        if not math.isfinite(value):
            raise _type_error(where, key, "a finite number", value)
        value = float(value)
        _check_number(where, key, value, rule)
    else:
        raise ContractError(f"schema: parameter {key!r} has unknown type {kind!r}")
    choices = rule.get("choices")
    if choices is not None and value not in choices:
        raise ContractError(f"{where}: parameter {key!r} = {value!r} is not one of {choices}")
    return value


def _check_value(where: str, key: str, value: Any, rule: Mapping[str, Any]) -> Any:
    if rule["type"] != "int_list":
        return _check_scalar(where, key, value, rule)
    if not isinstance(value, list) or not value:
        raise _type_error(where, key, "a non-empty list of integers", value)
    item_rule = {**rule, "type": "int"}
    items = [_check_scalar(where, key, item, item_rule) for item in value]
    if len(items) > rule.get("max_len", len(items)):
        raise ContractError(f"{where}: parameter {key!r} has more than {rule['max_len']} items")
    return items


def check_params(
    params: Mapping[str, Any], schema: Mapping[str, Mapping[str, Any]], *, where: str
) -> dict[str, Any]:
    """Validate ``params`` against ``schema``; returns them with every default filled in."""
    unknown = sorted(set(params) - set(schema))
    if unknown:
        raise ContractError(f"{where}: unknown parameter(s) {unknown}; known: {sorted(schema)}")
    resolved: dict[str, Any] = {}
    for key, rule in schema.items():
        if key in params:
            resolved[key] = _check_value(where, key, params[key], rule)
        elif "default" in rule:
            resolved[key] = rule["default"]
        else:
            raise ContractError(f"{where}: parameter {key!r} is required")
    return resolved


# --- the run environment --------------------------------------------------------------------


def load_experiment(directory: Path) -> dict[str, Any]:
    path = directory / EXPERIMENT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContractError(f"{EXPERIMENT_FILE} is missing next to the program") from None
    except ValueError as exc:
        raise ContractError(f"{EXPERIMENT_FILE} is not valid JSON: {exc}") from None
    for key in ("experiment", "conditions", "parameters", "schema"):
        if key not in data:
            raise ContractError(f"{EXPERIMENT_FILE} has no {key!r} field")
    return data


def _require(environ: Mapping[str, str], name: str, fix: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ContractError(f"environment variable {name} is not set ({fix})")
    return value


def parse_seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise ContractError(f"RESEARCHOS_SEED must be an integer, got {text!r}") from None
    if not 0 <= seed <= SEED_MAX:
        raise ContractError(f"RESEARCHOS_SEED must be between 0 and {SEED_MAX}, got {seed}")
    return seed


def parse_overrides(text: str | None) -> dict[str, Any]:
    if text is None or not text.strip():
        return {}
    try:
        overrides = json.loads(text)
    except ValueError as exc:
        raise ContractError(f"RESEARCHOS_PARAMS is not valid JSON: {exc}") from None
    if not isinstance(overrides, dict):
        raise ContractError("RESEARCHOS_PARAMS must be a JSON object of parameter overrides")
    return overrides


def load_run(environ: Mapping[str, str], directory: Path) -> Run:
    """Read and validate the contract's environment variables against experiment.json."""
    experiment = load_experiment(directory)
    conditions: dict[str, dict[str, Any]] = experiment["conditions"]
    condition = _require(environ, "RESEARCHOS_CONDITION", f"one of {sorted(conditions)}")
    if condition not in conditions:
        raise ContractError(
            f"unknown condition {condition!r} in RESEARCHOS_CONDITION; "
            f"known conditions: {', '.join(sorted(conditions))}"
        )
    seed = parse_seed(_require(environ, "RESEARCHOS_SEED", "a non-negative integer"))
    output_dir = Path(_require(environ, "RESEARCHOS_OUTPUT_DIR", "a writable directory"))
    merged = {
        **experiment["parameters"],
        **conditions[condition],
        **parse_overrides(environ.get("RESEARCHOS_PARAMS")),
    }
    params = check_params(merged, experiment["schema"], where=f"condition {condition!r}")
    return Run(experiment["experiment"], condition, seed, params, output_dir)


# --- outputs --------------------------------------------------------------------------------


def _write_whole(path: Path, text: str) -> None:
    """Write via a temp file + rename so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_metrics(run: Run, metrics: Mapping[str, float]) -> Path:
    lines = []
    for name, value in metrics.items():
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"metric {name!r} is not finite ({number}); refusing to record it")
        record = {"condition": run.condition, "seed": run.seed, "metric": name, "value": number}
        lines.append(json.dumps(record, sort_keys=True))
    path = run.output_path(METRICS_FILE)
    _write_whole(path, "\n".join(lines) + "\n")
    return path


def write_csv(run: Run, name: str, header: list[str], rows: list[list[Any]]) -> Path:
    body = [",".join(header)] + [",".join(_csv_cell(cell) for cell in row) for row in rows]
    path = run.output_path(name)
    _write_whole(path, "\n".join(body) + "\n")
    return path


def _csv_cell(cell: Any) -> str:
    return repr(cell) if isinstance(cell, float) else str(cell)


def main(experiment: Callable[[Run], Mapping[str, float]], directory: Path) -> int:
    """Run ``experiment`` under the contract; returns the process exit status.

    Programs import numpy and friends inside ``experiment``, after this has pinned them to
    one thread: the numbers must not depend on how many cores the sandbox grants.
    """
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    try:
        run = load_run(os.environ, directory)
        run.output_dir.mkdir(parents=True, exist_ok=True)
        metrics = experiment(run)
        write_metrics(run, metrics)
    except ContractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception:
        traceback.print_exc()
        print("error: the experiment crashed (traceback above)", file=sys.stderr)
        return EXIT_CRASH
    return 0
