"""Landscape format v1: entries (known results, hypotheses, retracted) and proposals.

Files live in ``research-landscape/{known-results,hypotheses,retracted}/<id>.yaml`` and
``proposals/<id>.yaml`` (pending) or ``proposals/decided/<id>.yaml`` (merged or rejected).
Every file carries ``format_version: 1`` and forbids unknown fields; the JSON Schema in
docs/landscape-format.md is generated from these classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from researchos.artifacts.models import ItemId, Scalar, Sha256, Slug, Strict, Versioned, utcnow

EntryKind = Literal["known_result", "hypothesis"]
EntryStatus = Literal["established", "open", "contested", "retracted"]
RetractionReason = Literal["evidence_timeout", "refuted", "withdrawn", "manual"]
Direction = Literal["positive", "negative", "null"]
EntryId = Annotated[str, StringConstraints(pattern=r"^E\d{4,}$")]
ProposalId = Annotated[str, StringConstraints(pattern=r"^P\d{4,}$")]
Commit = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]


class EntryNumber(Strict):
    """A number of the source claim, with the direction of the effect when it is one."""

    name: str = Field(description="The claim number's metric label (accuracy:diff[a-b], ...).")
    value: float
    unit: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = Field(default=None, ge=0)
    direction: Direction | None = Field(
        default=None,
        description="For effects and differences: positive, negative or null (CI spans 0).",
    )


class EntrySource(Strict):
    """The claim an entry (or proposal) rests on, pinned by content and commit."""

    ara: Slug
    claim: ItemId
    claim_sha256: Sha256 = Field(description="sha256 of the claim file when it was proposed.")
    commit: Commit | None = Field(
        default=None, description="Last commit that touched the claim file."
    )


class EntryEvidence(Strict):
    """An evidence reference of the source claim, relative to the ARA."""

    ara: Slug
    path: str
    sha256: Sha256
    locator: str | None = None


class Retraction(Strict):
    reason: RetractionReason
    by: str = Field(description="Actor who retracted (a person; the expiry rule for timeouts).")
    at: datetime = Field(default_factory=utcnow)
    note: str = ""


class ReviewVerdict(Strict):
    """What one reviewer model says about a contested entry (the model's answer schema)."""

    verdict: Literal["contradiction", "consistent", "unsure"]
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str = Field(max_length=4000)


class ReviewCall(Strict):
    phase: str
    verdict: ReviewVerdict | None = None
    error: str | None = None
    routing: dict[str, object] = Field(default_factory=dict)


class ReviewRequest(Strict):
    """Dual-model review of a contradiction, queued for Seal L2 (or already run)."""

    phases: list[str] = Field(default_factory=lambda: ["seal_l2_first", "seal_l2_second"])
    status: Literal["queued", "done"] = "queued"
    requested_at: datetime = Field(default_factory=utcnow)
    calls: list[ReviewCall] = Field(default_factory=list)
    disagree: bool | None = Field(
        default=None, description="True when the two reviewers' verdicts differ."
    )


class ContradictionCheck(Strict):
    """One known result a claim may contradict: the rule that fired and the model's answer."""

    entry: EntryId
    reasons: list[str] = Field(description="direction, ci_disjoint or value_differs, explained.")
    shared_conditions: list[str]
    confirmed: bool = Field(description="The model check agreed the two contradict.")
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    explanation: str = ""
    routing: dict[str, object] = Field(default_factory=dict)


class Decision(Strict):
    outcome: Literal["merged", "rejected"]
    by: str
    at: datetime = Field(default_factory=utcnow)
    reason: str = ""
    entry: EntryId | None = None


class Draft(Strict):
    """What the landscape keeps of a claim: the content of the entry a merge would write."""

    statement: str = Field(min_length=1)
    conditions: dict[str, Scalar] = Field(default_factory=dict)
    metric: str | None = None
    headline: EntryNumber | None = Field(
        default=None, description="The number contradiction checks compare."
    )
    numbers: list[EntryNumber] = Field(default_factory=list)
    evidence: list[EntryEvidence] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    fingerprint: Sha256 = Field(description="sha256 of the normalised statement + conditions.")


class LandscapeEntry(Draft, Versioned):
    """A known result, a hypothesis, or (in retracted/) one that was withdrawn."""

    id: EntryId
    kind: EntryKind
    status: EntryStatus
    source: EntrySource
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)
    last_evidence_at: datetime = Field(
        default_factory=utcnow, description="When the landscape last received evidence for it."
    )
    proposals: list[ProposalId] = Field(default_factory=list, description="Merged proposals.")
    merged_by: str = Field(description="The person who merged the latest proposal.")
    contradicts: list[EntryId] = Field(
        default_factory=list, description="Known results a contested hypothesis contradicts."
    )
    contested_by: list[EntryId] = Field(
        default_factory=list, description="Contested hypotheses that contradict this entry."
    )
    review: ReviewRequest | None = None
    retraction: Retraction | None = None


class Proposal(Versioned):
    """A landscape update an agent (or person) proposes; only a person merges or rejects it."""

    id: ProposalId
    status: Literal["pending", "merged", "rejected"] = "pending"
    kind: EntryKind = Field(description="What the merge writes: known_result or hypothesis.")
    requested_kind: EntryKind = Field(description="What the proposer asked for (--as).")
    contested: bool = Field(
        default=False, description="A confirmed contradiction: merges as a contested hypothesis."
    )
    source: EntrySource
    draft: Draft
    entry: EntryId | None = Field(
        default=None, description="Existing entry this proposal updates (None: a new entry)."
    )
    entry_sha256: Sha256 | None = Field(
        default=None, description="sha256 of that entry's file when proposed."
    )
    proposed_by: str
    proposed_at: datetime = Field(default_factory=utcnow)
    rationale: str = ""
    duplicates: list[ProposalId] = Field(
        default_factory=list, description="Other pending proposals for the same claim or entry."
    )
    contradictions: list[ContradictionCheck] = Field(default_factory=list)
    review: ReviewRequest | None = None
    decision: Decision | None = None

    @property
    def confirmed(self) -> list[str]:
        return [c.entry for c in self.contradictions if c.confirmed]
