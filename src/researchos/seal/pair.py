"""Dual-model review of two results that may contradict each other.

The research landscape queues such a review when a new claim seems to contradict a known
result; ``review_pair`` runs it with the same two Seal L2 reviewers (``seal_l2_first`` then
``seal_l2_second``) and records a disagreement between them in the store, like L2 does for
claims. Inputs are plain mappings (``statement``, ``conditions``, optional ``headline``
number and ``id``) so any caller can use it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from researchos.artifacts.models import utcnow
from researchos.providers.types import ModelRequest
from researchos.seal.review import PHASES, REVIEWERS
from researchos.store import seal as seal_store

if TYPE_CHECKING:
    from researchos.app import App

CONTEXT_KIND = "seal_pair"


class PairVerdict(BaseModel):
    """One reviewer's answer: do the two results contradict each other?"""

    model_config = ConfigDict(extra="forbid")

    verdict: Literal["contradiction", "consistent", "unsure"]
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str = Field(default="", max_length=4000)


@dataclass
class PairReview:
    first: PairVerdict
    second: PairVerdict
    routing: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def disagree(self) -> bool:
        return self.first.verdict != self.second.verdict

    @property
    def contradiction(self) -> bool:
        """Both reviewers see a contradiction."""
        return self.first.verdict == self.second.verdict == "contradiction"

    def to_dict(self) -> dict[str, Any]:
        return {
            "first": self.first.model_dump(mode="json"),
            "second": self.second.model_dump(mode="json"),
            "disagree": self.disagree,
            "contradiction": self.contradiction,
        }


def _side(claim: Any) -> dict[str, Any]:
    data = claim.model_dump(mode="json") if hasattr(claim, "model_dump") else dict(claim)
    headline = data.get("headline")
    if headline is None and data.get("numbers"):
        headline = data["numbers"][0]
    return {
        "id": data.get("id"),
        "statement": data.get("statement", ""),
        "conditions": data.get("conditions") or {},
        "headline": headline,
    }


def pair_context(claim_a: Any, claim_b: Any, reasons: Sequence[str]) -> dict[str, Any]:
    other = {**_side(claim_b), "reasons": list(reasons)}
    return {"kind": CONTEXT_KIND, "claim": _side(claim_a), "contradicts": [other]}


def review_pair(
    app: App,
    claim_a: Mapping[str, Any] | Any,
    claim_b: Mapping[str, Any] | Any,
    *,
    reasons: Sequence[str] = (),
    ara: str | None = None,
) -> PairReview:
    """Ask both reviewers whether ``claim_a`` contradicts ``claim_b``; record a disagreement.

    ``reasons`` are the deterministic rules that flagged the pair (``direction: ...``,
    ``ci_disjoint: ...``, ``value_differs: ...``), shown to the reviewers.
    """
    context = pair_context(claim_a, claim_b, reasons)
    prompt = (
        "Decide independently whether the first result contradicts the second. Give a verdict "
        "(contradiction, consistent or unsure), a confidence in [0, 1] and a rationale.\n\n"
        + json.dumps(context, indent=1, default=str, ensure_ascii=False)
    )
    request = ModelRequest.of(prompt, schema=PairVerdict, context=context)
    answers: dict[str, PairVerdict] = {}
    routing: dict[str, dict[str, Any]] = {}
    for phase, name in zip(PHASES, REVIEWERS, strict=True):
        response = app.router.call(phase, request, ara=ara)
        assert isinstance(response.data, PairVerdict)
        answers[name], routing[name] = response.data, dict(response.routing)
    review = PairReview(answers["first"], answers["second"], routing)
    if review.disagree:
        _record(app, context, review, ara)
    return review


def _record(app: App, context: dict[str, Any], review: PairReview, ara: str | None) -> None:
    left, right = context["claim"].get("id"), context["contradicts"][0].get("id")
    row = {
        "seal_id": f"pair-{uuid.uuid4().hex[:12]}",
        "ara_slug": ara or "",
        "claim_id": f"{left or '?'} vs {right or '?'}"[:128],
        "at": utcnow(),
        "first_verdict": review.first.verdict,
        "first_confidence": review.first.confidence,
        "second_verdict": review.second.verdict,
        "second_confidence": review.second.confidence,
        "reason": f"pair review: {review.first.rationale[:200]} | {review.second.rationale[:200]}",
    }
    with app.database.session() as session:
        seal_store.record_disagreements(session, rows=[row])
