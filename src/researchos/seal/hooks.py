"""Seal L1 after the distiller and the compiler: their ARAs get a structure check at once.

A failed L1 is a finding to read, not an error of the command that made the ARA: a distilled
session or a compiled paper usually has no ``code/reproduce.sh``, and L1 says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from researchos.app import App


def seal_structure(app: App, slug: str) -> dict[str, Any]:
    """Run Seal L1 on ``slug``; a short summary for the command's report."""
    report = app.seal.seal(slug, levels=[1])
    level = report.levels[0]
    return {
        "level": 1,
        "passed": level.passed,
        "findings": [str(finding) for finding in level.errors[:10]],
    }


def after_distill_seal(app: App, report: Any) -> dict[str, Any]:
    return seal_structure(app, report.ara)
