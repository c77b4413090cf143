"""Version ranges in two ecosystems: PEP 440 specifiers for Python, npm ranges for JavaScript.

A page names a package either bare (``httpx``: matched in whichever ecosystem the project uses)
or with a prefix (``npm:axios``, ``pypi:requests``). ``applies`` answers True, False or None
(cannot tell: the range or the version does not parse in that ecosystem).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from researchos.knowledge import semver

Ecosystem = Literal["python", "npm"]
PREFIXES: dict[str, Ecosystem] = {"pypi:": "python", "npm:": "npm"}


def split_package(key: str) -> tuple[str, Ecosystem | None]:
    """``npm:axios`` -> (``axios``, npm); a bare name has no fixed ecosystem."""
    for prefix, ecosystem in PREFIXES.items():
        if key.startswith(prefix):
            return normalize_name(key[len(prefix) :], ecosystem), ecosystem
    return normalize_name(key, None), None


def normalize_name(name: str, ecosystem: Ecosystem | None) -> str:
    """PEP 503 normalisation for Python names; npm names are case-sensitive but lowercase."""
    name = name.strip()
    if ecosystem == "npm" or name.startswith("@"):
        return name.lower()
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=4096)
def python_spec(spec: str) -> SpecifierSet | None:
    text = spec.strip()
    if text in ("", "*"):
        return SpecifierSet("")
    if re.fullmatch(r"v?\d+(\.\d+)*", text):
        text = f"=={text.lstrip('v')}.*" if text.count(".") < 2 else f"=={text.lstrip('v')}"
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def npm_spec_ok(spec: str) -> bool:
    try:
        semver.parse_range(spec)
    except semver.RangeError:
        return False
    return True


def check_spec(key: str, spec: str) -> str | None:
    """None when ``spec`` is a valid range for ``key``'s ecosystem(s), else the problem."""
    if not isinstance(spec, str) or len(spec) > 200:
        return "the range must be a string of at most 200 characters"
    _, ecosystem = split_package(key)
    python_ok = python_spec(spec) is not None
    if ecosystem == "python" and not python_ok:
        return f"{spec!r} is not a PEP 440 specifier (e.g. '>=0.27,<0.28')"
    if ecosystem == "npm" and not npm_spec_ok(spec):
        return f"{spec!r} is not an npm range (e.g. '^1.6.0')"
    if ecosystem is None and not python_ok and not npm_spec_ok(spec):
        return f"{spec!r} is neither a PEP 440 specifier nor an npm range"
    return None


@lru_cache(maxsize=8192)
def applies(spec: str, version: str, ecosystem: Ecosystem) -> bool | None:
    """Whether ``version`` falls inside ``spec`` (None: undecidable)."""
    if ecosystem == "npm":
        try:
            return semver.satisfies(version, spec)
        except semver.RangeError:
            return None
    parsed_spec = python_spec(spec)
    if parsed_spec is None:
        return None
    try:
        return parsed_spec.contains(Version(version), prereleases=True)
    except InvalidVersion:
        return None
