"""Stale pages: a pinned source changed or vanished, or the page has not been touched for N days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from researchos.files import sha256_file
from researchos.knowledge.page import Page

LOCAL_KINDS = ("file", "ara", "snapshot")


@dataclass(frozen=True)
class SourceCheck:
    ref: str
    kind: str
    status: str  # ok | changed | missing | unpinned | external
    expected: str | None = None
    actual: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "kind": self.kind,
            "status": self.status,
            "expected": self.expected,
            "actual": self.actual,
        }


@dataclass(frozen=True)
class StaleFinding:
    page_id: str
    reasons: list[str]
    checks: list[SourceCheck]

    def to_dict(self) -> dict[str, object]:
        return {
            "page_id": self.page_id,
            "reasons": self.reasons,
            "sources": [c.to_dict() for c in self.checks],
        }


def _workspace_file(root: Path, ref: str) -> Path | None:
    pure = PurePosixPath(ref)
    if pure.is_absolute() or ".." in pure.parts or "://" in ref:
        return None
    return root.joinpath(*pure.parts)


def check_source(root: Path, ref: str, kind: str, sha256: str | None) -> SourceCheck:
    """Compare a pinned workspace file with its recorded sha256."""
    path = _workspace_file(root, ref) if kind in LOCAL_KINDS else None
    if path is None:
        return SourceCheck(ref, kind, "external")
    if not path.is_file():
        return SourceCheck(ref, kind, "missing", sha256)
    if sha256 is None:
        return SourceCheck(ref, kind, "unpinned")
    actual = sha256_file(path)
    return SourceCheck(ref, kind, "ok" if actual == sha256 else "changed", sha256, actual)


def source_checks(root: Path, page: Page) -> list[SourceCheck]:
    checks = [check_source(root, s.ref, s.kind, s.sha256) for s in page.sources]
    origin = page.provenance
    if origin.path and origin.path not in {s.ref for s in page.sources}:
        checks.append(check_source(root, origin.path, "file", origin.sha256))
    return checks


def stale_reasons(
    root: Path, page: Page, *, max_age_days: int, now: datetime | None = None
) -> StaleFinding | None:
    checks = source_checks(root, page)
    reasons = [f"source {c.status}: {c.ref}" for c in checks if c.status in ("changed", "missing")]
    now = now or datetime.now(UTC)
    updated = page.updated if page.updated.tzinfo else page.updated.replace(tzinfo=UTC)
    age = (now - updated).days
    if max_age_days > 0 and age > max_age_days:
        reasons.append(f"not updated for {age} days (limit {max_age_days})")
    return StaleFinding(page.id, reasons, checks) if reasons else None


def find_stale(
    root: Path, pages: Iterable[Page], *, max_age_days: int, now: datetime | None = None
) -> list[StaleFinding]:
    found = [stale_reasons(root, page, max_age_days=max_age_days, now=now) for page in pages]
    return [finding for finding in found if finding is not None]
