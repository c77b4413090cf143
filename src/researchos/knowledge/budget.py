"""Fitting a brief into a token budget: estimate, then drop the lowest-ranked items first.

Tokens are estimated as ceil(characters / 4) of the JSON — no tokenizer of the agent's model
ships offline, and the estimate errs on the generous side for English prose and JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from researchos.errors import InputError
from researchos.knowledge.brief_model import AgentWorkContext, DroppedItem

CHARS_PER_TOKEN = 4
# sections whose items may be dropped, with the weight that scales each item's own score
SECTION_WEIGHT = {
    "must_load": 1.0,
    "dependency_knowledge": 1.0,
    "known_risks": 0.9,
    "approved_interventions": 0.9,
    "decision_rules": 0.8,
}


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _tokens(model: BaseModel) -> int:
    return estimate_tokens(model.model_dump_json()) + 1  # the separating comma


@dataclass(frozen=True)
class Candidate:
    section: str
    index: int
    item_id: str
    priority: float
    tokens: int


def _item_id(item: BaseModel) -> str:
    page = getattr(item, "page", None)
    return str(getattr(page, "id", None) or getattr(item, "id", ""))


def _item_score(item: BaseModel) -> float:
    page = getattr(item, "page", None)
    return float(getattr(page or item, "score", 0.0))


def _candidates(brief: AgentWorkContext) -> list[Candidate]:
    found = []
    for section, weight in SECTION_WEIGHT.items():
        items: list[BaseModel] = getattr(brief, section)
        for index, item in enumerate(items):
            priority = weight * _item_score(item)
            found.append(Candidate(section, index, _item_id(item), priority, _tokens(item)))
    return sorted(found, key=lambda c: (c.priority, -c.index))


def fit_budget(
    brief: AgentWorkContext,
    budget: int,
    *,
    on_drop: Callable[[AgentWorkContext, set[str]], AgentWorkContext] | None = None,
) -> AgentWorkContext:
    """Drop the lowest-priority items until the brief's JSON fits ``budget`` tokens."""
    total = estimate_tokens(brief.model_dump_json())
    dropped: list[Candidate] = []
    for candidate in _candidates(brief):
        if total <= budget:
            break
        entry = DroppedItem(section=candidate.section, id=candidate.item_id, tokens=0)
        dropped.append(candidate)
        total += _tokens(entry) - candidate.tokens
    gone = {(d.section, d.index) for d in dropped}
    keep = {
        section: [
            item
            for index, item in enumerate(getattr(brief, section))
            if (section, index) not in gone
        ]
        for section in SECTION_WEIGHT
    }
    report = brief.budget.model_copy(
        update={
            "dropped": [
                DroppedItem(section=d.section, id=d.item_id, tokens=d.tokens) for d in dropped
            ]
        }
    )
    fitted = brief.model_copy(update={**keep, "budget": report})
    if on_drop is not None and dropped:
        fitted = on_drop(fitted, {d.item_id for d in dropped})
    final = estimate_tokens(fitted.model_dump_json())
    fitted = fitted.model_copy(
        update={"budget": fitted.budget.model_copy(update={"estimated_tokens": final})}
    )
    if final > budget:
        raise InputError(
            f"the brief needs at least {final} tokens even with every optional item dropped",
            field="token_budget",
            fix=f"pass a token budget of {final} or more",
        )
    return fitted
