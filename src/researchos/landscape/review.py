"""Dual-model review of a contested claim: two independent reviewers (Seal L2 phases).

The request is stored with the proposal (and later the entry) so Seal L2 can pick it up;
when the router answers, both calls run at once and their verdicts, and whether they
disagree, are recorded. A failed call leaves the request queued with the error.
"""

from __future__ import annotations

import json
from typing import Any

from researchos.errors import ResearchOSError
from researchos.landscape.contradiction import routing_summary
from researchos.landscape.models import (
    ContradictionCheck,
    Draft,
    EntryNumber,
    LandscapeEntry,
    ReviewCall,
    ReviewRequest,
    ReviewVerdict,
)
from researchos.providers.types import ModelRequest

PHASES = ("seal_l2_first", "seal_l2_second")
CONTEXT_KIND = "landscape_contradiction"


def _number(number: EntryNumber | None) -> dict[str, Any] | None:
    return number.model_dump(mode="json") if number is not None else None


def review_request(
    draft: Draft, checks: list[ContradictionCheck], known: dict[str, LandscapeEntry]
) -> ModelRequest:
    context: dict[str, Any] = {
        "kind": CONTEXT_KIND,
        "claim": {"statement": draft.statement, "conditions": draft.conditions},
        "headline": _number(draft.headline),
        "contradicts": [
            {
                "id": check.entry,
                "statement": known[check.entry].statement,
                "headline": _number(known[check.entry].headline),
                "reasons": check.reasons,
            }
            for check in checks
        ],
    }
    prompt = (
        "Review independently whether this claim contradicts the known results listed. "
        "Give a verdict (contradiction, consistent or unsure), a confidence in [0, 1] and a "
        "rationale.\n\n" + json.dumps(context, indent=1, default=str)
    )
    return ModelRequest.of(prompt, schema=ReviewVerdict, context=context)


def _call(router: Any, phase: str, request: ModelRequest) -> ReviewCall:
    try:
        response = router.call(phase, request)
    except ResearchOSError as exc:
        return ReviewCall(phase=phase, error=str(exc)[:500])
    assert isinstance(response.data, ReviewVerdict)
    return ReviewCall(phase=phase, verdict=response.data, routing=routing_summary(response.routing))


def dual_review(
    router: Any, draft: Draft, checks: list[ContradictionCheck], known: dict[str, LandscapeEntry]
) -> ReviewRequest:
    """Queue the review and, when the router answers, run both reviewers now."""
    request = review_request(draft, checks, known)
    calls = [_call(router, phase, request) for phase in PHASES]
    if any(call.verdict is None for call in calls):
        return ReviewRequest(calls=calls)
    verdicts = {call.verdict.verdict for call in calls if call.verdict is not None}
    return ReviewRequest(status="done", calls=calls, disagree=len(verdicts) > 1)
