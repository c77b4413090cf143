"""Numbers in files: find them in text, walk JSON pointers, compare within a tolerance."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# a decimal or scientific number not glued to a letter or another number (ResNet50, 1.2.3)
_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.]*\d)(?![A-Za-z_])"
)


@dataclass(frozen=True)
class Tolerance:
    """Two numbers agree when ``math.isclose(a, b, rel_tol=relative, abs_tol=absolute)``."""

    relative: float
    absolute: float

    def close(self, expected: float, actual: float) -> bool:
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        return math.isclose(expected, actual, rel_tol=self.relative, abs_tol=self.absolute)

    def describe(self) -> str:
        return f"relative {self.relative:g}, absolute {self.absolute:g}"


# claims store six significant digits: a stored value matches its source within this
SIX_DIGITS = Tolerance(relative=1e-5, absolute=1e-12)


@dataclass(frozen=True)
class TextNumber:
    value: float
    text: str
    line: int
    column: int


def numbers_in_text(text: str) -> Iterator[TextNumber]:
    """Every number written in ``text`` with its 1-based line and column."""
    for line_number, line in enumerate(text.splitlines(), start=1):
        for match in _NUMBER.finditer(line):
            try:
                value = float(match.group())
            except ValueError:
                continue
            yield TextNumber(value, match.group(), line_number, match.start() + 1)


def skeleton(line: str) -> str:
    """The line with every number replaced by ``#``: what must match exactly in text diffs."""
    return _NUMBER.sub("#", line)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901 JSON pointer; KeyError/IndexError when it does not resolve."""
    if pointer in ("", "/"):
        return document
    node = document
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            raise KeyError(part)
    return node


def flatten_numbers(node: Any) -> Iterator[float]:
    """Every number inside a JSON value (booleans are not numbers)."""
    if isinstance(node, bool):
        return
    if isinstance(node, int | float):
        yield float(node)
    elif isinstance(node, dict):
        for value in node.values():
            yield from flatten_numbers(value)
    elif isinstance(node, list):
        for value in node:
            yield from flatten_numbers(value)


def pointer_join(base: str, key: str | int) -> str:
    escaped = str(key).replace("~", "~0").replace("/", "~1")
    return f"{base}/{escaped}"
