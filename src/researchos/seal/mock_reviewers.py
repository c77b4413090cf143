"""The mock's two Seal L2 reviewers: deterministic judgements from the request context.

Both read what a careful reviewer would: does the claim cite evidence, does the evidence
exist, did a run produce it, and do the claim's numbers appear in it (a number with a
``source`` pointer is looked up at that pointer; one without is searched for in the cited
files). They differ on purpose, in the way two real reviewers do:

- the **first** (balanced tier) accepts a claim whose numbers are in its evidence;
- the **second** (strong tier) is stricter about sample size and precision: an effect with
  fewer than ``MIN_N`` observations is unsupported to it, and a confidence interval wider than
  ``MAX_REL_HALF_WIDTH`` of the value caps its confidence below the promotion floor.

So on real data the two disagree exactly where a person should look. Requests of the research
landscape (kind ``landscape_contradiction``) and of ``review_pair`` get a verdict on whether
two results contradict, the second reviewer again the more demanding.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any

from researchos.providers.mock.responders import mock_responder
from researchos.providers.mock.schema_sample import sample_model
from researchos.providers.types import ModelRequest
from researchos.seal.numbers import SIX_DIGITS, flatten_numbers, numbers_in_text, resolve_pointer
from researchos.seal.review import CONTEXT_KIND

MIN_N = 3
MAX_REL_HALF_WIDTH = 0.5
_PAIR_KINDS = {"landscape_contradiction", "seal_pair"}


@mock_responder("seal_l2_first")
def first_reviewer(request: ModelRequest, rng: random.Random) -> Any:
    return _answer(request, rng, strict=False)


@mock_responder("seal_l2_second")
def second_reviewer(request: ModelRequest, rng: random.Random) -> Any:
    return _answer(request, rng, strict=True)


def _answer(request: ModelRequest, rng: random.Random, *, strict: bool) -> Any:
    context = request.context
    if context.get("kind") in _PAIR_KINDS:
        return _pair_verdict(context, strict=strict)
    if context.get("kind") == CONTEXT_KIND:
        files = context.get("files") or {}
        return {"reviews": [_review(c, files, strict=strict) for c in context.get("claims", [])]}
    # another caller of these phases (a smoke run): a sample of whatever it asked for
    if request.schema is not None:
        return sample_model(request.schema, rng)
    return f"[MOCK] {'second' if strict else 'first'} reviewer: nothing to review."


# --- claims ------------------------------------------------------------------------------


def _review(claim: dict[str, Any], files: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    evidence = claim.get("evidence") or []
    if not evidence:
        return _verdict(claim, "unsupported", 0.2, [], "MOCK: the claim cites no evidence")
    missing = [e["path"] for e in evidence if not files.get(e["path"], {}).get("exists")]
    if missing:
        return _verdict(claim, "unsupported", 0.25, [], f"MOCK: missing evidence {missing[0]}")
    empty = [e["path"] for e in evidence if not files[e["path"]].get("size")]
    if empty:
        return _verdict(claim, "unsupported", 0.25, [], f"MOCK: empty evidence {empty[0]}")
    mismatches, unfound = _check_numbers(claim, files)
    if mismatches:
        note = "; ".join(mismatches)
        flags = [m.split(" ", 1)[0] for m in mismatches]
        return _verdict(claim, "contradicted", 0.9, flags, f"MOCK: {note}")
    tool = any(e.get("tool") for e in evidence)
    confidence = 0.92 if tool else 0.8
    verdict, notes = "supported", ["the claim's numbers are in the cited evidence"]
    numbers = len(claim.get("numbers") or [])
    if unfound:
        notes = [
            f"{len(unfound)} of {numbers} number(s) not in the evidence: {', '.join(unfound[:3])}"
        ]
        if len(unfound) * 2 > numbers:  # most of what the claim states cannot be seen
            verdict, confidence = "unsupported", 0.5
    if strict:
        verdict, confidence, extra = _strict(claim, verdict, confidence)
        notes += extra
    return _verdict(claim, verdict, confidence, [], "MOCK: " + "; ".join(notes))


def _strict(claim: dict[str, Any], verdict: str, confidence: float) -> tuple[str, float, list[str]]:
    notes: list[str] = []
    testing = claim.get("kind") in ("effect", "comparison")
    for number in claim.get("numbers") or []:
        n = number.get("n")
        if testing and n is not None and n < MIN_N:
            if verdict == "supported":
                verdict = "unsupported"
            confidence = min(confidence, 0.55)
            notes.append(f"n={n} is too small for {number.get('metric') or 'a value'}")
        half = _relative_half_width(number)
        if testing and half is not None and half > MAX_REL_HALF_WIDTH:
            confidence = min(confidence, 0.7)
            notes.append(f"CI of {number.get('metric') or 'a value'} is ±{half:.0%} of the value")
    if not notes:
        confidence = min(confidence, 0.9)
    return verdict, confidence, notes


def _relative_half_width(number: dict[str, Any]) -> float | None:
    low, high, value = number.get("ci_low"), number.get("ci_high"), number.get("value")
    if low is None or high is None or value is None or abs(value) < 1e-12:
        return None
    return float((high - low) / 2 / abs(value))


def _check_numbers(claim: dict[str, Any], files: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Numbers that contradict their source, and numbers found nowhere in the evidence.

    A number contradicts when its ``source`` pointer leads to a single number that differs.
    Otherwise it counts as found when it appears anywhere in the cited files (derived values
    such as a relative difference may appear nowhere: those are only "not found").
    """
    mismatches: list[str] = []
    unfound: list[str] = []
    pool = _text_numbers(claim, files)
    for number in claim.get("numbers") or []:
        value, name = float(number["value"]), number.get("metric") or "value"
        at_source = _source_value(number.get("source"), files)
        if at_source is not None and not SIX_DIGITS.close(at_source, value):
            mismatches.append(
                f"number_mismatch:{name} claims {value:.6g}, source has {at_source:.6g}"
            )
        elif at_source is None and not any(SIX_DIGITS.close(v, value) for v in pool):
            unfound.append(f"{name}={value:.6g}")
    return mismatches, unfound


def _source_value(source: str | None, files: dict[str, Any]) -> float | None:
    """The number at ``path#pointer`` when that file is in the context, is JSON and the
    pointer leads to a single number."""
    if not source or "#" not in source:
        return None
    path, pointer = source.split("#", 1)
    text = files.get(path, {}).get("text")
    if text is None or files[path].get("truncated"):
        return None
    try:
        found = list(flatten_numbers(resolve_pointer(json.loads(text), pointer)))
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return found[0] if len(found) == 1 else None


def _text_numbers(claim: dict[str, Any], files: dict[str, Any]) -> list[float]:
    values: list[float] = []
    for ref in claim.get("evidence") or []:
        text = files.get(ref["path"], {}).get("text")
        if text:
            values.extend(n.value for n in numbers_in_text(text))
    return values


def _verdict(
    claim: dict[str, Any], verdict: str, confidence: float, flags: list[str], rationale: str
) -> dict[str, Any]:
    return {
        "claim_id": claim["id"],
        "verdict": verdict,
        "confidence": round(confidence, 3),
        "contradiction_flags": flags,
        "rationale": rationale[:2000],
    }


# --- two results: do they contradict? -------------------------------------------------------


def _pair_verdict(context: Mapping[str, Any], *, strict: bool) -> dict[str, Any]:
    reasons: list[str] = []
    for other in context.get("contradicts") or []:
        reasons.extend(str(r) for r in other.get("reasons") or [])
    strong = [r for r in reasons if r.startswith(("direction", "ci_disjoint"))]
    if strong or (reasons and not strict):
        shown = strong or reasons
        return {
            "verdict": "contradiction",
            "confidence": 0.9 if strong else 0.75,
            "rationale": "MOCK: " + "; ".join(shown)[:1900],
        }
    if reasons:  # the strict reviewer does not call a difference in value alone a contradiction
        return {
            "verdict": "unsure",
            "confidence": 0.6,
            "rationale": "MOCK: values differ but no direction or interval conflict: "
            + "; ".join(reasons)[:1800],
        }
    return {"verdict": "consistent", "confidence": 0.8, "rationale": "MOCK: no conflict found"}
