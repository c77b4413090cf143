"""Which versions an issue is about, and whether a local version falls among them.

Versions are parsed from the issue's title, body and labels: "httpx 0.28" or "httpx==0.28.1"
(that version series), "since v2.0" / "from 2.0" (>=), "before 2.0" / "until 2.0" (<), "fixed
in 2.1" (affected below 2.1), labels such as "v2.0" or "version: 2.0". A version without a
package name belongs to the issue's own package (the repository's name unless told otherwise).
Bounds, when present, decide; otherwise a local version matches when it is in one of the
mentioned series.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from researchos.knowledge.page import VersionMention
from researchos.knowledge.versions import normalize_name

MAX_MENTIONS = 50
_VER = r"v?(?P<ver>\d+\.\d+(?:\.\d+)?(?:(?:a|b|rc|\.dev|\.post)\d+)?)\b"
_PKG = r"(?:(?P<pkg>[A-Za-z][A-Za-z0-9_.-]{0,100}?)\s*(?:==|@|\s)\s*)?"
_RELATIONS = (
    (
        ">=",
        re.compile(
            rf"\b(?:since|from|starting (?:with|from|in|at)|as of|after)\s+{_PKG}{_VER}", re.I
        ),
    ),
    ("<", re.compile(rf"\b(?:before|prior to|below|until|up to|older than)\s+{_PKG}{_VER}", re.I)),
    (
        "fixed",
        re.compile(rf"\b(?:fixed|resolved|patched|solved)\s+(?:in|by|with)\s+{_PKG}{_VER}", re.I),
    ),
    (">=", re.compile(rf"{_PKG}>=\s*{_VER}")),
    ("<", re.compile(rf"{_PKG}<(?!=)\s*{_VER}")),
)
_NAMED = re.compile(
    rf"(?<![\w.-])(?P<pkg>[A-Za-z][A-Za-z0-9_.-]{{0,100}}?)(?:\s*(?:==|@|version)\s*|\s+){_VER}",
    re.I,
)
_LABEL = re.compile(rf"^(?:version[:\s]*)?{_VER}$", re.I)


def _mention(package: str | None, version: str, relation: str, text: str) -> VersionMention:
    return VersionMention.model_validate(
        {"package": package, "version": version, "relation": relation, "text": text[:200]}
    )


def parse_mentions(
    text: str, labels: Iterable[str], *, package: str, known: Iterable[str] = ()
) -> list[VersionMention]:
    """Version mentions in ``text`` and ``labels``; ``package`` owns the unnamed ones."""
    names = {normalize_name(n, "python") for n in (package, *known)}
    found: list[VersionMention] = []
    covered: list[tuple[int, int]] = []
    for relation, pattern in _RELATIONS:
        for m in pattern.finditer(text):
            named = normalize_name(m["pkg"], "python") if m["pkg"] else None
            owner = named if named in names else package
            found.append(_mention(owner, m["ver"], relation, m.group(0)))
            covered.append(m.span("ver"))
    for m in _NAMED.finditer(text):
        pkg = normalize_name(m["pkg"], "python")
        if pkg in names and not any(a <= m.start("ver") < b for a, b in covered):
            found.append(_mention(pkg, m["ver"], "==", m.group(0)))
    for label in labels:
        if hit := _LABEL.match(label.strip()):
            found.append(_mention(package, hit["ver"], "==", f"label {label}"))
    unique = {(f.package, f.version, f.relation): f for f in found}
    return list(unique.values())[:MAX_MENTIONS]


@dataclass(frozen=True)
class Alignment:
    package: str
    local_version: str
    verdict: str  # match | mismatch | unknown
    explanation: str
    mentions: list[VersionMention]

    def to_dict(self) -> dict[str, object]:
        return {
            "package": self.package,
            "local_version": self.local_version,
            "verdict": self.verdict,
            "explanation": self.explanation,
            "mentions": [m.model_dump() for m in self.mentions],
        }


def _in_series(local: Version, mentioned: str) -> bool:
    """``0.28`` covers 0.28.x; ``0.28.1`` only itself."""
    target = Version(mentioned)
    parts = len(mentioned.split("."))
    return local.release[:parts] == target.release[:parts] if parts < 3 else local == target


def _consistent(mentions: Sequence[VersionMention]) -> list[VersionMention] | None:
    """The bound mentions, dropping plain "before X" ones that contradict a lower bound
    ("worked before 0.27, broken since 0.28" is context, not a range); None if still empty."""
    bounds = [m for m in mentions if m.relation != "=="]
    for candidates in (bounds, [m for m in bounds if m.relation != "<"]):
        lower = [Version(m.version) for m in candidates if m.relation == ">="]
        upper = [Version(m.version) for m in candidates if m.relation in ("<", "fixed")]
        if candidates and not (lower and upper and max(lower) >= min(upper)):
            return candidates
    return None


def _bounds(local: Version, mentions: Sequence[VersionMention]) -> tuple[bool, list[str]] | None:
    bounds = _consistent(mentions)
    if bounds is None:
        return None
    failed = []
    for m in bounds:
        bound = Version(m.version)
        holds = local >= bound if m.relation == ">=" else local < bound
        if not holds:
            failed.append(f"{m.relation} {m.version} ({m.text!r})")
    return not failed, failed


def align(package: str, local_version: str, mentions: Sequence[VersionMention]) -> Alignment:
    """Whether ``local_version`` of ``package`` is among the versions the issue is about."""
    name = normalize_name(package, "python")
    relevant = [m for m in mentions if m.package and normalize_name(m.package, "python") == name]
    if not relevant:
        return Alignment(package, local_version, "unknown", "the issue names no version", [])
    try:
        local = Version(local_version)
        bounds = _bounds(local, relevant)
        if bounds is not None:
            ok, failed = bounds
            why = "inside every bound" if ok else "outside: " + "; ".join(failed)
            return Alignment(package, local_version, "match" if ok else "mismatch", why, relevant)
        series = [m.version for m in relevant if _in_series(local, m.version)]
    except InvalidVersion:
        return Alignment(package, local_version, "unknown", "not a PEP 440 version", relevant)
    mentioned = ", ".join(m.version for m in relevant)
    if series:
        return Alignment(package, local_version, "match", f"in series {series[0]}", relevant)
    return Alignment(package, local_version, "mismatch", f"issue is about {mentioned}", relevant)


def align_all(
    local_versions: Mapping[str, str], mentions: Sequence[VersionMention]
) -> list[Alignment]:
    return [align(package, version, mentions) for package, version in local_versions.items()]


def affected_spec(package: str, mentions: Sequence[VersionMention]) -> str | None:
    """A PEP 440 range for the page's ``packages`` field, when the mentions give one."""
    name = normalize_name(package, "python")
    relevant = [m for m in mentions if m.package and normalize_name(m.package, "python") == name]
    exact = [m.version for m in relevant if m.relation == "=="]
    try:
        bounds = _consistent(relevant) or []
        lower = [m.version for m in bounds if m.relation == ">="]
        upper = [m.version for m in bounds if m.relation in ("<", "fixed")]
        parts = []
        if lower:
            parts.append(f">={max(lower, key=Version)}")
        if upper:
            parts.append(f"<{min(upper, key=Version)}")
        if not parts and len(exact) == 1:
            release = exact[0]
            parts.append(f"=={release}.*" if release.count(".") < 2 else f"=={release}")
    except InvalidVersion:
        return None
    return ",".join(parts) or None
