"""Does a new claim contradict a known result? Code decides first, a model confirms.

Deterministic rule (``candidates``): the two drafts measure the same metric, share at least
one condition key besides the metric and the statistical method, and every shared key has
the same value. They then contradict when any of these holds for the headline numbers:

- ``direction``: both effects have a direction and they differ (positive / negative / null);
- ``ci_disjoint``: both have confidence intervals and the intervals do not overlap;
- ``value_differs``: one has an interval and the other's value lies outside it, or neither
  has one and the values differ by more than the tolerance
  (``max(abs_tol, rel_tol * max(|a|, |b|))``, which also widens the interval).

A candidate then goes to the model (phase ``contradiction_check``) with both claims and
their numbers in ``request.context``; only a contradiction the model confirms makes the
proposal a contested hypothesis. The mock's answer re-derives the verdict from the numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from researchos.landscape.draft import normalise
from researchos.landscape.models import ContradictionCheck, Draft, EntryNumber, LandscapeEntry
from researchos.providers.types import ModelRequest

# conditions that describe how a result was tested, not where it holds
METHOD_KEYS = frozenset(
    {"metric", "alpha", "confidence", "ci_method", "correction", "family_size"}
    | {"min_effect_size", "test", "pairing"}
)
ROUTING_KEYS = ("phase", "tier", "provider", "requested_model", "wire_model", "run_mode", "mock")


@dataclass(frozen=True)
class Tolerance:
    rel: float = 0.05
    abs: float = 1e-9


@dataclass(frozen=True)
class Candidate:
    """A known result the deterministic rule says a draft contradicts."""

    entry: LandscapeEntry
    reasons: tuple[str, ...]
    shared: tuple[str, ...]


class ContradictionVerdict(BaseModel):
    """The model's answer to a contradiction check."""

    contradicts: bool
    confidence: float = Field(ge=0.0, le=1.0)
    explanation: str = Field(max_length=4000)


def shared_conditions(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, ...] | None:
    """Shared non-method keys when all of them agree (and there is one); else None."""
    keys = sorted((set(a) & set(b)) - METHOD_KEYS)
    if not keys or any(normalise(a[k]) != normalise(b[k]) for k in keys):
        return None
    return tuple(keys)


def number_conflicts(a: EntryNumber, b: EntryNumber, tolerance: Tolerance) -> list[str]:
    """Why two headline numbers of the same metric under the same conditions disagree."""
    if a.unit and b.unit and a.unit != b.unit:
        return []
    reasons = []
    if a.direction and b.direction and a.direction != b.direction:
        reasons.append(f"direction: {a.direction} vs {b.direction}")
    a_ci = a.ci_low is not None and a.ci_high is not None
    b_ci = b.ci_low is not None and b.ci_high is not None
    if a_ci and b_ci:
        assert a.ci_low is not None and a.ci_high is not None
        assert b.ci_low is not None and b.ci_high is not None
        if a.ci_high < b.ci_low or b.ci_high < a.ci_low:
            reasons.append(
                f"ci_disjoint: [{a.ci_low:g}, {a.ci_high:g}] vs [{b.ci_low:g}, {b.ci_high:g}]"
            )
        return reasons
    allowed = max(tolerance.abs, tolerance.rel * max(abs(a.value), abs(b.value)))
    with_ci, bare = (a, b) if a_ci else (b, a) if b_ci else (None, None)
    if with_ci is not None and bare is not None:
        assert with_ci.ci_low is not None and with_ci.ci_high is not None
        inside = with_ci.ci_low - allowed <= bare.value <= with_ci.ci_high + allowed
        if not inside:
            reasons.append(
                f"value_differs: {bare.value:g} outside [{with_ci.ci_low:g}, {with_ci.ci_high:g}]"
            )
    elif abs(a.value - b.value) > allowed:
        reasons.append(f"value_differs: {a.value:g} vs {b.value:g} (tolerance {allowed:g})")
    return reasons


def candidates(draft: Draft, known: list[LandscapeEntry], tolerance: Tolerance) -> list[Candidate]:
    """Known results the deterministic rule says ``draft`` contradicts."""
    found = []
    for entry in known:
        if not (draft.metric and draft.metric == entry.metric):
            continue
        if draft.headline is None or entry.headline is None:
            continue
        shared = shared_conditions(draft.conditions, entry.conditions)
        if shared is None:
            continue
        reasons = number_conflicts(draft.headline, entry.headline, tolerance)
        if reasons:
            found.append(Candidate(entry, tuple(reasons), shared))
    return found


def _side(draft: Draft) -> dict[str, Any]:
    return {
        "statement": draft.statement,
        "metric": draft.metric,
        "conditions": draft.conditions,
        "headline": draft.headline.model_dump(mode="json") if draft.headline else None,
    }


def check_request(draft: Draft, candidate: Candidate, tolerance: Tolerance) -> ModelRequest:
    """The contradiction_check request: both claims in the prompt and in the context."""
    context = {
        "new": _side(draft),
        "known": {"id": candidate.entry.id, **_side(candidate.entry)},
        "shared_conditions": list(candidate.shared),
        "rule_reasons": list(candidate.reasons),
        "tolerance": {"rel": tolerance.rel, "abs": tolerance.abs},
    }
    prompt = (
        "A new research claim may contradict a known result recorded in a research "
        "landscape. Both measure the same metric under the same shared conditions. Decide "
        "whether they truly contradict (not a difference in setting, scale or definition). "
        "Reply with contradicts, a confidence in [0, 1] and a short explanation.\n\n"
        + json.dumps({k: context[k] for k in ("new", "known", "shared_conditions")}, indent=1)
    )
    return ModelRequest.of(prompt, schema=ContradictionVerdict, context=context)


def routing_summary(routing: dict[str, Any]) -> dict[str, object]:
    """The part of a routing record worth keeping in a landscape file (no usage, no ids)."""
    return {key: routing[key] for key in ROUTING_KEYS if key in routing}


def confirm(
    router: Any, draft: Draft, candidate: Candidate, tolerance: Tolerance
) -> ContradictionCheck:
    """Ask the model (phase contradiction_check) whether a candidate is a real contradiction."""
    response = router.call("contradiction_check", check_request(draft, candidate, tolerance))
    verdict = response.data
    assert isinstance(verdict, ContradictionVerdict)
    return ContradictionCheck(
        entry=candidate.entry.id,
        reasons=list(candidate.reasons),
        shared_conditions=list(candidate.shared),
        confirmed=verdict.contradicts,
        confidence=verdict.confidence,
        explanation=verdict.explanation,
        routing=routing_summary(response.routing),
    )
