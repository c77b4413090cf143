"""The mock's answer for ``contradiction_check``: decided from the numbers in the context.

Deterministic and offline: the same two claims always get the same verdict. It applies the
number rules to the headline numbers the request carries, so in mock mode a candidate the
rule found is confirmed unless the context says otherwise (a unit mismatch, numbers within
tolerance).
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import BaseModel

from researchos.landscape.contradiction import ContradictionVerdict, Tolerance, number_conflicts
from researchos.landscape.models import EntryNumber
from researchos.providers.mock.responders import mock_responder
from researchos.providers.mock.schema_sample import sample_model
from researchos.providers.types import ModelRequest


def _headline(side: Any) -> EntryNumber | None:
    if not isinstance(side, dict) or not isinstance(side.get("headline"), dict):
        return None
    return EntryNumber.model_validate(side["headline"])


@mock_responder("contradiction_check")
def contradiction_check(request: ModelRequest, rng: random.Random) -> BaseModel:
    if request.schema is not None and request.schema is not ContradictionVerdict:
        return sample_model(request.schema, rng)  # another caller's schema: a generic answer
    context = request.context
    new, known = _headline(context.get("new")), _headline(context.get("known"))
    if new is None or known is None:
        return ContradictionVerdict(
            contradicts=False, confidence=0.5, explanation="MOCK: no numbers to compare."
        )
    limits = context.get("tolerance") or {}
    tolerance = Tolerance(rel=float(limits.get("rel", 0.05)), abs=float(limits.get("abs", 1e-9)))
    reasons = number_conflicts(new, known, tolerance)
    strong = any(r.startswith(("direction", "ci_disjoint")) for r in reasons)
    return ContradictionVerdict(
        contradicts=bool(reasons),
        confidence=0.9 if strong else 0.7 if reasons else 0.8,
        explanation="MOCK: " + ("; ".join(reasons) if reasons else "the numbers agree"),
    )
