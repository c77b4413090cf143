"""What the model proposes for a session (the structured-output schema of the
``distillation`` phase) and how proposals from several chunks merge.

Every item quotes the transcript: ``quotes`` give a line span and the exact text. The
grounding step (grounding.py) keeps only items whose quotes really are in the transcript.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FailureKind = Literal["infra", "bug", "negative_result", "abandoned"]
ClaimKindName = Literal["effect", "comparison", "null_result", "observation", "method"]


class Proposed(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Quote(Proposed):
    line_start: int = Field(ge=1, description="First transcript line of the quoted span.")
    line_end: int = Field(ge=1, description="Last transcript line of the quoted span.")
    text: str = Field(description="Text copied exactly from those lines.")
    event: str | None = Field(default=None, description="Event id (E12) the quote comes from.")


class ProposedNumber(Proposed):
    value: float
    metric: str | None = None
    unit: str | None = None


class ProposedClaim(Proposed):
    statement: str = Field(description="One falsifiable sentence; every number in it quoted.")
    kind: ClaimKindName = "observation"
    quotes: list[Quote] = Field(default_factory=list)
    numbers: list[ProposedNumber] = Field(default_factory=list)
    conditions: dict[str, str | int | float | bool] = Field(default_factory=dict)
    falsification: str | None = None
    tags: list[str] = Field(default_factory=list)


class ProposedDeadEnd(Proposed):
    title: str
    hypothesis: str = Field(description="What was expected to work.")
    tried: str = Field(description="What was tried (the command or change).")
    failure_mode: str = Field(description="How it failed (the error).")
    lesson: str = Field(description="What to do instead, as the session found out.")
    failure_class: FailureKind = "bug"
    pivot: str | None = Field(default=None, description="The different approach taken next.")
    quotes: list[Quote] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class ProposedDecision(Proposed):
    title: str
    decision: str
    rationale: str
    alternatives: list[str] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class ProposedCheckpoint(Proposed):
    title: str
    description: str = ""
    numbers: list[ProposedNumber] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class DistillProposal(Proposed):
    """The answer of the ``distillation`` phase for one chunk of a session."""

    title: str | None = Field(default=None, description="A short title for the session.")
    claims: list[ProposedClaim] = Field(default_factory=list)
    dead_ends: list[ProposedDeadEnd] = Field(default_factory=list)
    decisions: list[ProposedDecision] = Field(default_factory=list)
    checkpoints: list[ProposedCheckpoint] = Field(default_factory=list)


ITEM_KINDS = ("claims", "dead_ends", "decisions", "checkpoints")
Item = ProposedClaim | ProposedDeadEnd | ProposedDecision | ProposedCheckpoint


def item_label(item: Item) -> str:
    return item.statement if isinstance(item, ProposedClaim) else item.title


def _key(item: Item) -> str:
    return " ".join(item_label(item).lower().split())


def merge(proposals: list[DistillProposal]) -> DistillProposal:
    """One proposal from the chunks' answers; items with the same text are kept once."""
    merged = DistillProposal(title=next((p.title for p in proposals if p.title), None))
    for kind in ITEM_KINDS:
        seen: set[str] = set()
        items = []
        for proposal in proposals:
            for item in getattr(proposal, kind):
                if _key(item) not in seen:
                    seen.add(_key(item))
                    items.append(item)
        setattr(merged, kind, items)
    return merged


def count(proposal: DistillProposal) -> dict[str, int]:
    return {kind: len(getattr(proposal, kind)) for kind in ITEM_KINDS}
