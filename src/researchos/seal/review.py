"""Seal L2's two independent reviewers: the answer schema, the request, the calls.

Each reviewer (router phases ``seal_l2_first`` then ``seal_l2_second``; the routing policy
puts them on the balanced and the strong tier) reads the claims with their numbers and the
text of the evidence they cite, and answers per claim: a support verdict, a confidence and
contradiction flags. Claims go in batches so a large ARA is a bounded number of calls; the
evidence text is cut to ``EXCERPT_BYTES`` per file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from researchos.artifacts.models import Claim, EvidenceRef
from researchos.errors import InputError
from researchos.files import safe_relative
from researchos.providers.types import ModelRequest

PHASES = ("seal_l2_first", "seal_l2_second")
REVIEWERS = ("first", "second")
CONTEXT_KIND = "seal_l2_claims"
BATCH = 25
EXCERPT_BYTES = 64 * 1024
PROMPT_EXCERPT = 4 * 1024
Verdict = Literal["supported", "unsupported", "contradicted"]

SYSTEM = (
    "You are an independent reviewer of research claims. For every claim, decide from the "
    "cited evidence alone whether it is supported, unsupported (the evidence does not show it) "
    "or contradicted (the evidence shows something else). Give a confidence in [0, 1] and "
    "name every contradiction you see as a short flag (e.g. number_mismatch:accuracy). Do not "
    "trust the claim's own status."
)


class ClaimReview(BaseModel):
    """One reviewer's judgement of one claim."""

    model_config = ConfigDict(extra="forbid")

    claim_id: str
    verdict: Verdict
    confidence: float = Field(ge=0.0, le=1.0)
    contradiction_flags: list[str] = Field(default_factory=list)
    rationale: str = Field(default="", max_length=2000)


class ReviewBatch(BaseModel):
    """A reviewer's answer for a batch of claims."""

    model_config = ConfigDict(extra="forbid")

    reviews: list[ClaimReview]


def is_tool_evidence(ref: EvidenceRef) -> bool:
    """Evidence a run produced (not a transcript quote or a passage of a paper)."""
    return ref.run_id is not None or ref.kind == "run_output"


def _file_entry(root: Any, ref: EvidenceRef) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": ref.path, "exists": False, "size": 0}
    try:
        target = safe_relative(root, ref.path)
    except InputError:
        return entry
    if not target.is_file():
        return entry
    with target.open("rb") as handle:
        raw = handle.read(EXCERPT_BYTES + 1)
    entry.update(exists=True, size=target.stat().st_size)
    try:
        text = raw[:EXCERPT_BYTES].decode("utf-8")
    except UnicodeDecodeError:
        entry["binary"] = True
        return entry
    entry.update(text=text, truncated=len(raw) > EXCERPT_BYTES)
    return entry


def claim_context(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "statement": claim.statement,
        "kind": claim.kind,
        "status": claim.status,
        "conditions": claim.conditions,
        "numbers": [n.model_dump(mode="json", exclude_none=True) for n in claim.numbers],
        "evidence": [
            {**ref.model_dump(mode="json", exclude_none=True), "tool": is_tool_evidence(ref)}
            for ref in claim.evidence
        ],
        "flags": claim.flags,
    }


def batch_context(root: Any, claims: Sequence[Claim], floor: float) -> dict[str, Any]:
    files: dict[str, dict[str, Any]] = {}
    for claim in claims:
        for ref in claim.evidence:
            if ref.path not in files:
                files[ref.path] = _file_entry(root, ref)
    return {
        "kind": CONTEXT_KIND,
        "confidence_floor": floor,
        "claims": [claim_context(c) for c in claims],
        "files": files,
    }


def prompt_for(context: dict[str, Any]) -> str:
    shown = {
        path: {**entry, "text": entry.get("text", "")[:PROMPT_EXCERPT]}
        for path, entry in context["files"].items()
    }
    return (
        "Review each claim below against its evidence. Answer with one review per claim id.\n\n"
        "CLAIMS:\n"
        + json.dumps(context["claims"], indent=1, ensure_ascii=False)
        + "\n\nEVIDENCE FILES (excerpts):\n"
        + json.dumps(shown, indent=1, ensure_ascii=False)
    )


def batches(claims: Sequence[Claim], size: int = BATCH) -> Iterable[Sequence[Claim]]:
    for start in range(0, len(claims), size):
        yield claims[start : start + size]


@dataclass
class ClaimVerdicts:
    """Both reviewers' answers for one claim, and whether they disagree."""

    claim_id: str
    first: ClaimReview
    second: ClaimReview
    routing: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def disagree(self) -> bool:
        flags_differ = bool(self.first.contradiction_flags) != bool(self.second.contradiction_flags)
        return self.first.verdict != self.second.verdict or flags_differ

    def disagreement_reason(self) -> str:
        return f"first: {_short(self.first)} vs second: {_short(self.second)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "first": self.first.model_dump(mode="json"),
            "second": self.second.model_dump(mode="json"),
            "disagree": self.disagree,
        }


def _short(review: ClaimReview) -> str:
    flags = f"; {', '.join(review.contradiction_flags)}" if review.contradiction_flags else ""
    return f"{review.verdict} ({review.confidence:.2f}{flags})"


def missing_review(claim_id: str) -> ClaimReview:
    """What counts when a reviewer left a claim out: no support, no confidence."""
    return ClaimReview(
        claim_id=claim_id,
        verdict="unsupported",
        confidence=0.0,
        rationale="the reviewer returned no review for this claim",
    )


def review_claims(
    router: Any, slug: str, root: Any, claims: Sequence[Claim], floor: float
) -> tuple[list[ClaimVerdicts], dict[str, dict[str, Any]]]:
    """Both reviewers over every claim; returns per-claim verdicts and each phase's routing."""
    answers: dict[str, dict[str, ClaimReview]] = {name: {} for name in REVIEWERS}
    routing: dict[str, dict[str, Any]] = {}
    for chunk in batches(claims):
        context = batch_context(root, chunk, floor)
        for phase, name in zip(PHASES, REVIEWERS, strict=True):
            context["reviewer"] = name
            request = _request(context)
            response = router.call(phase, request, ara=slug)
            routing[name] = dict(response.routing)
            assert isinstance(response.data, ReviewBatch)
            wanted = {c.id for c in chunk}
            for review in response.data.reviews:
                if review.claim_id in wanted:
                    answers[name].setdefault(review.claim_id, review)
    verdicts = [
        ClaimVerdicts(
            c.id,
            answers["first"].get(c.id) or missing_review(c.id),
            answers["second"].get(c.id) or missing_review(c.id),
        )
        for c in claims
    ]
    return verdicts, routing


def _request(context: dict[str, Any]) -> ModelRequest:
    return ModelRequest.of(
        prompt_for(context), system=SYSTEM, schema=ReviewBatch, context=dict(context)
    )
