"""Which claims Seal L2 promotes to ``verified``, and the promotion commits.

A claim is promoted when it is a hypothesis (or testing / supported), both reviewers call it
supported with a confidence at or above the policy floor and no contradiction flag, it cites
tool evidence (a run's output, not a quote), it matches no retracted result and its figure
chain is whole. Each promotion is a ``claim.promote`` commit through ``AraService.update_claim``
whose trailers carry both reviewers' verdicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from researchos.artifacts.models import Claim
from researchos.artifacts.service import Origin
from researchos.seal.context import SealContext
from researchos.seal.review import ClaimVerdicts, is_tool_evidence

PROMOTABLE = {"hypothesis", "testing", "supported"}
ACTOR = "agent:seal"


@dataclass(frozen=True)
class Decision:
    claim_id: str
    status: str
    promote: bool
    reasons: tuple[str, ...]
    first_confidence: float
    second_confidence: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _blockers(ctx: SealContext, claim: Claim, verdicts: ClaimVerdicts) -> Iterator[str]:
    floor = ctx.policy.confidence_floor
    for name, review in (("first", verdicts.first), ("second", verdicts.second)):
        if review.verdict != "supported":
            yield f"the {name} reviewer says {review.verdict}"
        elif review.confidence < floor:
            yield f"the {name} reviewer's confidence {review.confidence:.2f} is below {floor:.2f}"
        if review.contradiction_flags:
            yield f"the {name} reviewer flags {', '.join(review.contradiction_flags)}"
    if ctx.policy.require_tool_evidence and not any(is_tool_evidence(r) for r in claim.evidence):
        yield "no tool evidence (a run's output): quotes alone cannot verify a claim"
    if claim.id in ctx.details.get("retracted", {}):
        yield f"matches the retracted result {ctx.details['retracted'][claim.id]}"
    if claim.id in ctx.details.get("figure_chain_broken", set()):
        yield "a figure it cites cannot be redrawn"


def decide(ctx: SealContext) -> list[Decision]:
    """A decision for every reviewed claim that could move to verified."""
    reviews: dict[str, ClaimVerdicts] = ctx.details.get("reviews", {})
    decisions = []
    for claim_id, verdicts in reviews.items():
        claim = ctx.claims.get(claim_id)
        if claim is None or claim.status not in PROMOTABLE:
            continue
        reasons = tuple(_blockers(ctx, claim, verdicts))
        decisions.append(
            Decision(
                claim_id,
                claim.status,
                not reasons,
                reasons or ("both reviewers at or above the floor, with tool evidence",),
                verdicts.first.confidence,
                verdicts.second.confidence,
            )
        )
    return decisions


def promote(ctx: SealContext, decisions: list[Decision]) -> list[str]:
    """Apply the positive decisions; returns the promoted claim ids."""
    reviews: dict[str, ClaimVerdicts] = ctx.details.get("reviews", {})
    tier = (ctx.details.get("routing", {}).get("second") or {}).get("tier")
    origin = Origin(actor=ACTOR, model_tier=tier if isinstance(tier, str) else None)
    promoted = []
    for decision in decisions:
        if not decision.promote:
            continue
        item = reviews[decision.claim_id]
        ctx.app.aras.update_claim(
            ctx.slug,
            decision.claim_id,
            {
                "status": "verified",
                "confidence": min(item.first.confidence, item.second.confidence),
            },
            event="claim.promote",
            origin=origin,
            trailers={
                "Seal-L2-First": f"{item.first.verdict} {item.first.confidence:.2f}",
                "Seal-L2-Second": f"{item.second.verdict} {item.second.confidence:.2f}",
            },
        )
        promoted.append(decision.claim_id)
    if promoted:
        ctx.refresh_claims()
    return promoted
