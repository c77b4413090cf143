"""What a merge writes: a new entry, or an existing one updated with new evidence.

A merge is when the landscape receives evidence, so it sets ``last_evidence_at``. Updating
a hypothesis with a proposal of kind known_result promotes it (same id, moved to
known-results/); a contested proposal writes (or turns the entry into) a contested
hypothesis that links the known results it contradicts.
"""

from __future__ import annotations

from datetime import datetime

from researchos.landscape.models import EntryStatus, LandscapeEntry, Proposal


def status_for(proposal: Proposal) -> EntryStatus:
    if proposal.kind == "known_result":
        return "established"
    return "contested" if proposal.contested else "open"


def entry_from_proposal(
    proposal: Proposal,
    previous: LandscapeEntry | None,
    *,
    entry_id: str,
    actor: str,
    now: datetime,
) -> LandscapeEntry:
    content = proposal.draft.model_dump()
    fields = {
        **content,
        "kind": proposal.kind,
        "status": status_for(proposal),
        "source": proposal.source.model_dump(),
        "updated": now,
        "last_evidence_at": now,
        "merged_by": actor,
        "contradicts": proposal.confirmed,
        "review": proposal.review.model_dump() if proposal.review else None,
    }
    if previous is None:
        return LandscapeEntry.model_validate(
            {**fields, "id": entry_id, "created": now, "proposals": [proposal.id]}
        )
    kept = previous.model_dump()
    merged = {
        **kept,
        **fields,
        "proposals": [*previous.proposals, proposal.id],
        "contradicts": sorted({*previous.contradicts, *proposal.confirmed}),
        "review": fields["review"] or kept.get("review"),
    }
    if previous.status == "contested" and not proposal.contested:
        merged["status"] = "contested" if proposal.kind == "hypothesis" else merged["status"]
    return LandscapeEntry.model_validate(merged)
