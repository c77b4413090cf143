"""What the landscape keeps of a claim: statement, conditions, metric, numbers, evidence.

The *headline* number is the one contradiction checks compare: a difference between
conditions when the claim has one (``accuracy:diff[a-b]``), else its first number that is
not a p-value or a count. Its *direction* is only defined for effects: positive or negative
when the confidence interval (or, without one, the sign) says so, null when the interval
spans zero or the claim is a null result.
"""

from __future__ import annotations

import hashlib
import json
import re

from researchos.artifacts.models import Claim, NumberValue
from researchos.landscape.models import Direction, Draft, EntryEvidence, EntryNumber

_DIFF = re.compile(r"(^|[:_\-\[])(diff|delta|rel_diff|effect|cohens_d|hedges_g)", re.IGNORECASE)
_NOT_HEADLINE = re.compile(r"(^|:)(p|p_\w+|nonfinite|excluded_seeds)(\[|$)", re.IGNORECASE)
_BASE = re.compile(r"^([^:\[]+)")
EFFECT_KINDS = frozenset({"comparison", "null_result"})


def base_metric(name: str) -> str:
    """``accuracy`` for ``accuracy:diff[knn-base]``; lower case, trimmed."""
    match = _BASE.match(name.strip())
    return (match.group(1) if match else name).strip().casefold()


def normalise(value: object) -> str:
    """One spelling per value: numbers as floats, text case-folded with single spaces."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(float(value))
    return " ".join(str(value).split()).casefold()


def fingerprint(statement: str, conditions: dict[str, object]) -> str:
    """sha256 of the normalised statement and conditions (re-wordings of case/space match)."""
    text = normalise(statement).rstrip(".!;: ")
    pairs = sorted((normalise(k), normalise(v)) for k, v in conditions.items())
    return hashlib.sha256(json.dumps([text, pairs]).encode()).hexdigest()


def direction_of(claim: Claim, number: NumberValue, *, headline: bool) -> Direction | None:
    """The sign of an effect; None for numbers that are levels (a mean), not effects."""
    is_effect = bool(_DIFF.search(number.metric or "")) or (headline and claim.kind in EFFECT_KINDS)
    if not is_effect:
        return None
    if claim.kind == "null_result":
        return "null"
    low, high = number.ci_low, number.ci_high
    if low is not None and high is not None:
        return "positive" if low > 0 else "negative" if high < 0 else "null"
    return "positive" if number.value > 0 else "negative" if number.value < 0 else "null"


def _entry_number(claim: Claim, number: NumberValue, *, headline: bool = False) -> EntryNumber:
    return EntryNumber(
        name=number.metric or "value",
        value=number.value,
        unit=number.unit,
        ci_low=number.ci_low,
        ci_high=number.ci_high,
        n=number.n,
        direction=direction_of(claim, number, headline=headline),
    )


def _headline(claim: Claim) -> NumberValue | None:
    candidates = [n for n in claim.numbers if not _NOT_HEADLINE.search(n.metric or "")]
    diffs = [n for n in candidates if _DIFF.search(n.metric or "")]
    plain = [n for n in diffs if "rel_diff" not in (n.metric or "")]
    for group in (plain, diffs, candidates):
        if group:
            return group[0]
    return None


def metric_of(claim: Claim) -> str | None:
    named = claim.conditions.get("metric")
    if isinstance(named, str) and named.strip():
        return base_metric(named)
    first = next((n.metric for n in claim.numbers if n.metric), None)
    return base_metric(first) if first else None


def draft_from_claim(slug: str, claim: Claim) -> Draft:
    head = _headline(claim)
    return Draft(
        statement=claim.statement,
        conditions=dict(claim.conditions),
        metric=metric_of(claim),
        headline=_entry_number(claim, head, headline=True) if head is not None else None,
        numbers=[_entry_number(claim, n) for n in claim.numbers],
        evidence=[
            EntryEvidence(ara=slug, path=e.path, sha256=e.sha256, locator=e.locator)
            for e in claim.evidence
        ],
        tags=list(claim.tags),
        fingerprint=fingerprint(claim.statement, dict(claim.conditions)),
    )
