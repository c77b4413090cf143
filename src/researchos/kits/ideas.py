"""Small pieces the built-in kits share when they turn a brief into idea seeds."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from researchos.kits.matching import contains_phrase, tokens
from researchos.kits.models import Condition, IdeaSeed

# words that say nothing about which experiment fits a brief
_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "do", "doe", "does", "for", "from", "how"}
    | {"i", "in", "is", "it", "of", "on", "or", "than", "that", "the", "this", "to", "we"}
    | {"what", "when", "which", "with", "more", "less", "better", "worse"}
)


def conditions(arms: Mapping[str, Mapping[str, Any]]) -> tuple[Condition, ...]:
    return tuple(Condition(name=name, params=dict(params)) for name, params in arms.items())


def excerpt(brief: str, limit: int = 120) -> str:
    text = " ".join(brief.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mentions(brief: str, names: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Keys of ``names`` whose phrases occur in the brief, in the order of ``names``."""
    words = tokens(brief)
    return [
        key
        for key, phrases in names.items()
        if any(contains_phrase(words, tokens(phrase)) for phrase in phrases)
    ]


def focus_order(preferred: list[str], everything: list[str], rng: random.Random) -> list[str]:
    """``preferred`` first (as given), then the rest in an order drawn from ``rng``."""
    rest = [item for item in everything if item not in preferred]
    rng.shuffle(rest)
    return [*preferred, *rest]


def relevance(brief: str, idea: IdeaSeed) -> int:
    """How many content words the idea (title, hypothesis, tags, parameters) shares with the
    brief."""
    values = [str(v) for v in idea.parameters.values()]
    values += [str(v) for condition in idea.conditions for v in condition.params.values()]
    text = " ".join([idea.title, idea.hypothesis, *idea.tags, *values])
    return len((set(tokens(brief)) - _STOPWORDS) & (set(tokens(text)) - _STOPWORDS))


def order_for_brief(ideas: list[IdeaSeed], brief: str, rng: random.Random) -> list[IdeaSeed]:
    """Ideas most relevant to the brief first; ties in an order drawn from ``rng``."""
    shuffled = list(ideas)
    rng.shuffle(shuffled)
    return sorted(shuffled, key=lambda idea: -relevance(brief, idea))
