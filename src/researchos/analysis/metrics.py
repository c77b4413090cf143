"""Reading ``metrics.jsonl`` files of the run contract, strictly.

Each line is ``{"condition": str, "seed": int, "metric": str, "value": number}`` (plus an
optional ``"unit": str``). A malformed line is an InputError that names the file, the line and
the field. Non-finite values (NaN, Infinity, null) are kept as observations marked non-finite
so the analysis can report them; they are never dropped on the way in.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from researchos.errors import InputError, UnsafeInput

REQUIRED = ("condition", "seed", "metric", "value")
OPTIONAL = ("unit",)
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_LINE_FIX = 'each line must be {"condition": str, "seed": int, "metric": str, "value": number}'


@dataclass(frozen=True)
class MetricsInput:
    """One metrics.jsonl file produced by one run.

    ``ara_path`` is where the file lives (or will be copied to) inside the ARA; evidence
    references point there. ``sha256``, when given, must match the file (it was recorded when
    the run finished). ``mock`` marks outputs of a mock run so claims carry the MOCK flag.
    """

    run_id: str
    path: Path
    sha256: str | None = None
    ara_path: str | None = None
    mock: bool = False

    @property
    def evidence_path(self) -> str:
        return self.ara_path or f"evidence/raw/{self.run_id}/metrics.jsonl"


@dataclass(frozen=True)
class Observation:
    condition: str
    seed: int
    metric: str
    value: float
    source: int  # index into MetricsTable.inputs
    line: int
    missing: bool = False  # the line said null

    @property
    def finite(self) -> bool:
        return not self.missing and math.isfinite(self.value)

    @property
    def value_text(self) -> str:
        """JSON-safe rendering: non-finite values become the strings nan, inf, -inf, null."""
        if self.missing:
            return "null"
        return repr(self.value) if math.isfinite(self.value) else str(self.value)


@dataclass(frozen=True)
class LoadedInput:
    input: MetricsInput
    sha256: str
    lines: int
    observations: int


@dataclass(frozen=True)
class MetricsTable:
    inputs: tuple[LoadedInput, ...]
    observations: tuple[Observation, ...]
    units: dict[str, str]

    @property
    def conditions(self) -> list[str]:
        return list(dict.fromkeys(o.condition for o in self.observations))

    @property
    def nonfinite(self) -> list[Observation]:
        return [o for o in self.observations if not o.finite]


def load_metrics(inputs: Sequence[MetricsInput]) -> MetricsTable:
    """Read and validate every file; duplicates across files are errors too."""
    if not inputs:
        raise InputError("no metrics files to analyse", fix="pass at least one metrics.jsonl")
    loaded: list[LoadedInput] = []
    observations: list[Observation] = []
    units: dict[str, tuple[str, str]] = {}
    seen: dict[tuple[str, int, str], str] = {}
    paths: set[str] = set()
    for index, item in enumerate(inputs):
        _check_input(item, paths)
        data = _read(item)
        rows = _parse(item, data, index, units)
        for obs in rows:
            key = (obs.condition, obs.seed, obs.metric)
            where = f"{item.path}:{obs.line}"
            if key in seen:
                raise InputError(
                    f"duplicate measurement condition={key[0]!r} seed={key[1]} "
                    f"metric={key[2]!r} (first at {seen[key]})",
                    file=where,
                    fix="each (condition, seed, metric) must be measured once",
                )
            seen[key] = where
        observations.extend(rows)
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        loaded.append(LoadedInput(item, hashlib.sha256(data).hexdigest(), lines, len(rows)))
    return MetricsTable(tuple(loaded), tuple(observations), {m: u for m, (u, _) in units.items()})


def _check_input(item: MetricsInput, earlier: set[str]) -> None:
    if not _RUN_ID.match(item.run_id):
        raise InputError(
            f"run id {item.run_id!r} is not allowed",
            field="run_id",
            fix="use letters, digits, '.', '_' and '-' only",
        )
    parts = PurePosixPath(item.evidence_path).parts
    if (
        not item.evidence_path.startswith("evidence/")
        or ".." in parts
        or "\\" in item.evidence_path
    ):
        raise UnsafeInput(
            f"ara_path {item.evidence_path!r} must be a relative path under evidence/",
            file=str(item.path),
            field="ara_path",
            fix="use e.g. evidence/raw/<run_id>/metrics.jsonl",
        )
    if item.evidence_path in earlier:
        raise InputError(
            f"two inputs map to the same evidence path {item.evidence_path}",
            file=str(item.path),
            field="ara_path",
            fix="give each run its own run_id or ara_path",
        )
    earlier.add(item.evidence_path)


def _read(item: MetricsInput) -> bytes:
    try:
        data = item.path.read_bytes()
    except FileNotFoundError:
        raise InputError("metrics file does not exist", file=str(item.path)) from None
    except OSError as exc:
        raise InputError(f"cannot read metrics file: {exc.strerror}", file=str(item.path)) from None
    if item.sha256 is not None and hashlib.sha256(data).hexdigest() != item.sha256.lower():
        raise InputError(
            "file content does not match the sha256 recorded for the run",
            file=str(item.path),
            field="sha256",
            fix="the run output changed after it was recorded; re-run or re-record it",
        )
    return data


def _parse(
    item: MetricsInput, data: bytes, index: int, units: dict[str, tuple[str, str]]
) -> list[Observation]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (invalid byte at offset {exc.start})", file=str(item.path)
        ) from None
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            rows.append(_observation(item, raw, number, index, units))
    if not rows:
        raise InputError(
            "contains no metrics lines", file=str(item.path), fix="the run wrote no metrics"
        )
    return rows


def _observation(
    item: MetricsInput, raw: str, number: int, index: int, units: dict[str, tuple[str, str]]
) -> Observation:
    where = f"{item.path}:{number}"
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", file=where, fix=_LINE_FIX) from None
    except ValueError as exc:  # e.g. an integer literal too long to convert
        raise InputError(f"not valid JSON ({exc})", file=where, fix=_LINE_FIX) from None
    if not isinstance(record, dict):
        raise InputError("a line must be a JSON object", file=where, fix=_LINE_FIX)
    for name in REQUIRED:
        if name not in record:
            raise InputError("required field is missing", file=where, field=name, fix=_LINE_FIX)
    for name in record:
        if name not in REQUIRED + OPTIONAL:
            raise InputError("unknown field", file=where, field=str(name), fix=_LINE_FIX)
    condition = _label(record["condition"], where, "condition")
    metric = _label(record["metric"], where, "metric")
    seed = record["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InputError(f"must be an integer, got {_kind(seed)}", file=where, field="seed")
    value = record["value"]
    missing = value is None
    if not missing and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise InputError(
            f"must be a number, got {_kind(value)}",
            file=where,
            field="value",
            fix="write the value as a JSON number (NaN, Infinity and null are recorded)",
        )
    if "unit" in record:
        _check_unit(record["unit"], metric, where, units)
    return Observation(
        condition, seed, metric, math.nan if missing else float(value), index, number, missing
    )


def _label(value: Any, where: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"must be a non-empty string, got {_kind(value)}", file=where, field=field)
    if len(value) > 200 or any(ord(ch) < 32 for ch in value):
        raise InputError("must be at most 200 printable characters", file=where, field=field)
    return value


def _check_unit(unit: Any, metric: str, where: str, units: dict[str, tuple[str, str]]) -> None:
    if not isinstance(unit, str):
        raise InputError(f"must be a string, got {_kind(unit)}", file=where, field="unit")
    previous = units.setdefault(metric, (unit, where))
    if previous[0] != unit:
        raise InputError(
            f"metric {metric!r} has unit {unit!r} here but {previous[0]!r} at {previous[1]}",
            file=where,
            field="unit",
            fix="use one unit per metric",
        )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )
