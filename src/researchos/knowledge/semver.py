"""The npm range subset that package.json files use: ``^1.2.3``, ``~1.2``, ``1.x``, ``>=1 <2``,
``1.0.0 - 2.0.0``, ``*`` and ``||`` alternatives.

Enough to say whether a locked version falls inside a page's range; prerelease tags compare
below their release, as in semver, but the npm rule that hides prereleases from ranges is not
reproduced (a page about ``2.0.0-beta`` should still match it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(
    r"^\s*v?(?P<major>\d+|[xX*])(?:\.(?P<minor>\d+|[xX*]))?(?:\.(?P<patch>\d+|[xX*]))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\s*$"
)
_COMPARATOR = re.compile(r"^(?P<op><=|>=|<|>|=|\^|~)?\s*(?P<version>\S+)$")


class RangeError(ValueError):
    """A string is not an npm version or range we understand."""


@dataclass(frozen=True, order=True)
class SemVer:
    major: int
    minor: int
    patch: int
    release: int  # 1 for a release, 0 for a prerelease: prereleases sort below
    pre: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> SemVer:
        match = _VERSION.match(text)
        if not match or any(
            (match[k] or "0").lower() in ("x", "*") for k in ("major", "minor", "patch")
        ):
            raise RangeError(f"{text!r} is not a semantic version like 1.2.3")
        pre = tuple(match["pre"].split(".")) if match["pre"] else ()
        return cls(
            int(match["major"]),
            int(match["minor"] or 0),
            int(match["patch"] or 0),
            0 if pre else 1,
            pre,
        )


Comparator = tuple[str, SemVer]


def _partial(text: str) -> tuple[list[int], str | None]:
    """Numeric parts given (x and * end the list) and the prerelease tag."""
    match = _VERSION.match(text)
    if not match:
        raise RangeError(f"{text!r} is not a version or range")
    parts: list[int] = []
    for key in ("major", "minor", "patch"):
        value = match[key]
        if value is None or value.lower() in ("x", "*"):
            break
        parts.append(int(value))
    return parts, match["pre"]


def _floor(parts: list[int], pre: str | None = None) -> SemVer:
    full = [*parts, 0, 0, 0][:3]
    tag = tuple(pre.split(".")) if pre else ()
    return SemVer(full[0], full[1], full[2], 0 if tag else 1, tag)


def _bump(parts: list[int], index: int) -> SemVer:
    """The lowest prerelease of the next version at ``index`` (so 2.0.0-0 < 2.0.0)."""
    head = [*parts[:index], parts[index] + 1] if index < len(parts) else parts
    full = [*head, 0, 0, 0][:3]
    return SemVer(full[0], full[1], full[2], 0, ("0",))


def _caret(parts: list[int], pre: str | None) -> list[Comparator]:
    if not parts:
        return []
    first_nonzero = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
    return [(">=", _floor(parts, pre)), ("<", _bump(parts, first_nonzero))]


def _tilde(parts: list[int], pre: str | None) -> list[Comparator]:
    if not parts:
        return []
    return [(">=", _floor(parts, pre)), ("<", _bump(parts, min(1, len(parts) - 1)))]


def _plain(op: str, parts: list[int], pre: str | None) -> list[Comparator]:
    if not parts:
        return [] if op in ("", "=", ">=", "<=") else [("<", SemVer(0, 0, 0, 0, ("0",)))]
    exact = len(parts) == 3
    if op in ("", "="):
        if exact:
            return [("=", _floor(parts, pre))]
        return [(">=", _floor(parts)), ("<", _bump(parts, len(parts) - 1))]
    if op == ">" and not exact:
        return [(">=", _bump(parts, len(parts) - 1))]
    if op == "<=" and not exact:
        return [("<", _bump(parts, len(parts) - 1))]
    return [(op, _floor(parts, pre))]


def _comparators(token: str) -> list[Comparator]:
    match = _COMPARATOR.match(token)
    if not match:
        raise RangeError(f"{token!r} is not a comparator")
    op, (parts, pre) = match["op"] or "", _partial(match["version"])
    if op == "^":
        return _caret(parts, pre)
    if op == "~":
        return _tilde(parts, pre)
    return _plain(op, parts, pre)


def _hyphen(low: str, high: str) -> list[Comparator]:
    low_parts, low_pre = _partial(low)
    high_parts, high_pre = _partial(high)
    out = [(">=", _floor(low_parts, low_pre))] if low_parts else []
    if len(high_parts) == 3:
        out.append(("<=", _floor(high_parts, high_pre)))
    elif high_parts:
        out.append(("<", _bump(high_parts, len(high_parts) - 1)))
    return out


def parse_range(text: str) -> list[list[Comparator]]:
    """A range as alternatives (``||``) of comparator sets that must all hold."""
    if not text.strip():
        return [[]]
    alternatives: list[list[Comparator]] = []
    for part in text.split("||"):
        part = re.sub(r"(<=|>=|<|>|=|\^|~)\s+", r"\1", part.strip())
        hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", part)
        if hyphen:
            alternatives.append(_hyphen(hyphen[1], hyphen[2]))
            continue
        alternatives.append([c for token in part.split() for c in _comparators(token)])
    return alternatives


_TESTS = {
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def satisfies(version: str, range_text: str) -> bool:
    """Whether ``version`` falls inside the npm range ``range_text``."""
    parsed = SemVer.parse(version)
    return any(
        all(_TESTS[op](parsed, bound) for op, bound in group) for group in parse_range(range_text)
    )
