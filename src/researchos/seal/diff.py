"""Numeric diff of a reproduction's files against the recorded ones.

JSON (by JSON pointer), JSON lines (by line and pointer), CSV (by row and column name) and
any other UTF-8 text (by line and column: the text around numbers must be equal, the numbers
within the tolerance). Other files must be byte-identical. Each difference names the field
and both values; the caller adds the file.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from researchos.seal.numbers import Tolerance, numbers_in_text, pointer_join, skeleton

MAX_PER_FILE = 10


@dataclass(frozen=True)
class Difference:
    field: str
    message: str
    expected: str | None = None
    actual: str | None = None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: Any) -> str:
    if _is_number(value):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)[:80]


def _number_difference(field: str, expected: float, actual: float, tol: Tolerance) -> Difference:
    if expected != 0 and math.isfinite(expected) and math.isfinite(actual):
        delta = f"differs by {(actual - expected) / abs(expected):+.2%}"
    else:
        delta = f"differs by {actual - expected:+.3g}"
    return Difference(
        field, f"{delta}, outside tolerance ({tol.describe()})", _show(expected), _show(actual)
    )


def diff_values(
    expected: Any, actual: Any, tol: Tolerance, pointer: str = ""
) -> Iterator[Difference]:
    """Differences between two JSON values, each at its JSON pointer."""
    where = pointer or "/"
    if _is_number(expected) and _is_number(actual):
        if not tol.close(float(expected), float(actual)):
            yield _number_difference(where, float(expected), float(actual), tol)
    elif isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                yield Difference(
                    pointer_join(pointer, key),
                    "missing in the reproduction",
                    _show(expected[key]),
                    None,
                )
            else:
                yield from diff_values(expected[key], actual[key], tol, pointer_join(pointer, key))
        for key in actual:
            if key not in expected:
                yield Difference(
                    pointer_join(pointer, key),
                    "not in the recorded output",
                    None,
                    _show(actual[key]),
                )
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            yield Difference(where, "different length", str(len(expected)), str(len(actual)))
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            yield from diff_values(left, right, tol, pointer_join(pointer, index))
    elif expected != actual or type(expected) is not type(actual):
        yield Difference(where, "differs", _show(expected), _show(actual))


def _json_lines(text: str) -> list[tuple[int, Any]]:
    return [(n, json.loads(line)) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def diff_jsonl(expected: str, actual: str, tol: Tolerance) -> Iterator[Difference]:
    left, right = _json_lines(expected), _json_lines(actual)
    if len(left) != len(right):
        yield Difference("lines", "different number of records", str(len(left)), str(len(right)))
    for (line, a), (_, b) in zip(left, right, strict=False):
        for d in diff_values(a, b, tol):
            yield Difference(f"line {line} {d.field}", d.message, d.expected, d.actual)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def diff_csv(
    expected: str, actual: str, tol: Tolerance, delimiter: str = ","
) -> Iterator[Difference]:
    left = list(csv.reader(io.StringIO(expected), delimiter=delimiter))
    right = list(csv.reader(io.StringIO(actual), delimiter=delimiter))
    if len(left) != len(right):
        yield Difference("rows", "different number of rows", str(len(left)), str(len(right)))
    header = left[0] if left else []
    for row_number, (a, b) in enumerate(zip(left, right, strict=False), start=1):
        if len(a) != len(b):
            yield Difference(
                f"row {row_number}", "different number of columns", str(len(a)), str(len(b))
            )
        for col, (x, y) in enumerate(zip(a, b, strict=False)):
            name = header[col] if row_number > 1 and col < len(header) else str(col + 1)
            field = f"row {row_number}, column {name}"
            nx, ny = _number(x), _number(y)
            if nx is not None and ny is not None:
                if not tol.close(nx, ny):
                    yield _number_difference(field, nx, ny, tol)
            elif x != y:
                yield Difference(field, "differs", json.dumps(x), json.dumps(y))


def diff_text(expected: str, actual: str, tol: Tolerance) -> Iterator[Difference]:
    left, right = expected.splitlines(), actual.splitlines()
    if len(left) != len(right):
        yield Difference("lines", "different number of lines", str(len(left)), str(len(right)))
    for number, (a, b) in enumerate(zip(left, right, strict=False), start=1):
        if skeleton(a) != skeleton(b):
            yield Difference(
                f"line {number}", "text differs", json.dumps(a[:80]), json.dumps(b[:80])
            )
            continue
        for x, y in zip(numbers_in_text(a), numbers_in_text(b), strict=True):
            if not tol.close(x.value, y.value):
                field = f"line {number}, column {x.column}"
                d = _number_difference(field, x.value, y.value, tol)
                yield Difference(field, d.message, x.text, y.text)


def diff_file(expected: Path, actual: Path, tol: Tolerance) -> list[Difference]:
    """Differences between the recorded file and the reproduced one (at most MAX_PER_FILE + 1)."""
    raw_left, raw_right = expected.read_bytes(), actual.read_bytes()
    if raw_left == raw_right:
        return []
    try:
        left, right = raw_left.decode("utf-8"), raw_right.decode("utf-8")
    except UnicodeDecodeError:
        return [
            Difference(
                "bytes", "binary file differs", f"{len(raw_left)} bytes", f"{len(raw_right)} bytes"
            )
        ]
    suffix = expected.suffix.lower()
    try:
        if suffix == ".json":
            found = diff_values(json.loads(left), json.loads(right), tol)
        elif suffix == ".jsonl":
            found = diff_jsonl(left, right, tol)
        elif suffix in (".csv", ".tsv"):
            found = diff_csv(left, right, tol, "\t" if suffix == ".tsv" else ",")
        else:
            found = diff_text(left, right, tol)
        out: list[Difference] = []
        for difference in found:
            if len(out) == MAX_PER_FILE:
                out.append(Difference("…", "more differences not shown"))
                break
            out.append(difference)
        return out
    except ValueError as exc:  # a file that no longer parses is itself the difference
        return [Difference("content", f"does not parse as {suffix or 'text'}: {exc}")]
