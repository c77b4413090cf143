"""What the landscape pages show, gathered from LandscapeService: pending proposals with what a
merge would refuse now and their evidence re-hashed, entries grouped by section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from researchos.errors import NotFound
from researchos.landscape.models import EntryEvidence, LandscapeEntry, Proposal
from researchos.web.console import ara_view

SECTIONS = (
    ("known", "Known results"),
    ("hypotheses", "Hypotheses"),
    ("retracted", "Retracted"),
)


@dataclass(frozen=True)
class Pending:
    proposal: Proposal
    mergeable: bool
    problems: list[dict[str, str]]
    evidence: list[tuple[EntryEvidence, str]]


def evidence(ros: Any, refs: list[EntryEvidence]) -> list[tuple[EntryEvidence, str]]:
    """Each reference with its file today: 'matches', 'changed' or 'missing'."""
    shown = []
    for ref in refs:
        try:
            root = ros.aras.paths(ref.ara).root
        except NotFound:
            shown.append((ref, "missing"))
            continue
        shown.append((ref, ara_view.integrity(root, ref.path, ref.sha256)))
    return shown


def pending(ros: Any) -> list[Pending]:
    """``LandscapeService.review()`` (the CLI's ``landscape review``) as models."""
    found = []
    for item in ros.landscape.review():
        mergeable, problems = item.pop("mergeable"), item.pop("problems")
        proposal = Proposal.model_validate(item)
        found.append(Pending(proposal, mergeable, problems, evidence(ros, proposal.draft.evidence)))
    return found


def sections(entries: list[LandscapeEntry]) -> dict[str, list[LandscapeEntry]]:
    ordered = sorted(entries, key=lambda e: e.id)
    return {
        "known": [e for e in ordered if e.status != "retracted" and e.kind == "known_result"],
        "hypotheses": [e for e in ordered if e.status != "retracted" and e.kind == "hypothesis"],
        "retracted": [e for e in ordered if e.status == "retracted"],
    }
