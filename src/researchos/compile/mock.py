"""The mock's answer for phase ``compilation``: claim-like sentences, picked by rule.

A passage is proposed when it states a result — a result verb or phrase ("we achieve",
"outperforms", "improves ... by", "reduces ... by", "accuracy of", "was measured", ...) —
and carries at least one checkable number. The quote is the passage itself, the numbers are
those written in it, the kind follows from the wording (comparison, effect, null result,
observation). The same passages always give the same answer, so mock compiles are
reproducible; the grounding check treats these proposals exactly like a real model's.
"""

from __future__ import annotations

import random
import re
from typing import Any

from pydantic import BaseModel

from researchos.compile.grounding import numbers_in
from researchos.compile.proposals import PHASE, ClaimProposals, ProposedClaim, ProposedNumber
from researchos.providers.mock.responders import mock_responder
from researchos.providers.mock.schema_sample import sample_model
from researchos.providers.types import ModelRequest

_RESULT = re.compile(
    r"\b(?:we\s+(?:achieve|obtain|reach|observe|find|found|measure|measured|report|show)"
    r"|achiev\w*|outperform\w*|surpass\w*|exceed\w*|beat[s]?\b|improv\w*\s[^.]{0,80}?\bby\b"
    r"|reduc\w*\s[^.]{0,80}?\bby\b|increas\w*\s[^.]{0,80}?\bby\b|decreas\w*\s[^.]{0,80}?\bby\b"
    r"|(?:accuracy|precision|recall|f1|auc|bleu|error(?:\s+rate)?|loss|score|rate|speed-?up|"
    r"latency|throughput|sensitivity|hysteresis|resolution)\s+(?:of|was|is|=|reached|reaches)\b"
    r"|(?:was|were)\s+(?:measured|estimated|found)|results?\s+show\b"
    r"|detune[sd]?\b|confirm\w*|(?:is|was)\s+(?:approximately|about|around|~))",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"\b(?:outperform\w*|surpass\w*|than|compared\s+(?:to|with)|versus|vs\.?|beat[s]?)\b", re.I
)
_EFFECT = re.compile(r"\b(?:improv|reduc|increas|decreas|gain|drop)\w*\b", re.I)
_NULL = re.compile(r"\b(?:no\s+significant|not\s+significant|did\s+not|does\s+not)\b", re.I)
_ON = re.compile(r"\b[Oo]n\s+(?:the\s+)?([A-Z][\w.-]*(?:[- ]\d+)?)")
_METRICS = (
    "word error rate",
    "error rate",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "auc",
    "bleu",
    "perplexity",
    "latency",
    "throughput",
    "sensitivity",
    "hysteresis",
    "preload",
    "frequency",
)
_UNIT = re.compile(r"\s?(%|[A-Za-zµ/]{1,8}(?:/[A-Za-z]{1,4})?)")


def _kind(text: str) -> str:
    if _NULL.search(text):
        return "null_result"
    if _COMPARISON.search(text):
        return "comparison"
    if _EFFECT.search(text):
        return "effect"
    return "observation"


def _metric(text: str) -> str | None:
    lower = text.lower()
    return next((metric for metric in _METRICS if metric in lower), None)


def _numbers(text: str) -> list[ProposedNumber]:
    numbers = []
    metric = _metric(text)
    for found in numbers_in(text):
        unit = "%" if found.percent else None
        after = _UNIT.match(text, found.end)
        if unit is None and after and after.group(1).lower() not in ("and", "or", "the", "of"):
            unit = after.group(1)
        numbers.append(ProposedNumber(value=found.value, text=found.raw, unit=unit, metric=metric))
    return numbers


def propose(passage: dict[str, Any]) -> ProposedClaim | None:
    """A claim for one passage when it reads like a result with numbers, else None."""
    text = str(passage.get("text", ""))
    if not _RESULT.search(text):
        return None
    numbers = _numbers(text)
    if not numbers:
        return None
    conditions = []
    dataset = _ON.search(text)
    if dataset:
        conditions.append({"key": "dataset", "value": dataset.group(1)})
    return ProposedClaim.model_validate(
        {
            "passage": str(passage.get("id", "")),
            "quote": text,
            "statement": text,
            "kind": _kind(text),
            "conditions": conditions,
            "numbers": [n.model_dump() for n in numbers],
        }
    )


@mock_responder(PHASE)
def compilation(request: ModelRequest, rng: random.Random) -> BaseModel | str:
    if request.schema is not ClaimProposals:  # another caller of the phase (smoke run)
        return sample_model(request.schema, rng) if request.schema else "OK (MOCK)"
    limit = int(request.context.get("max_claims", 50))
    claims = []
    for passage in request.context.get("passages", []):
        claim = propose(passage)
        if claim is not None:
            claims.append(claim)
        if len(claims) >= limit:
            break
    return ClaimProposals(claims=claims)
