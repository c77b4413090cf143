"""Sentences in messages that announce a decision or a change of approach.

A *decision* names a choice and its reason or the alternative dropped ("let's use X instead
of Y because ..."); a *pivot* only says the approach changes ("that didn't work, let's try
...").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.M)
_CHOICE = re.compile(
    r"\b(?:let'?s|let us|we(?:'ll| will| should)?|I(?:'ll| will)?|decid(?:e|ed|ing) to|"
    r"switch(?:ing|ed)? (?:to|from)|go(?:ing)? with|use|using|chose|choose|opt(?:ed)? for)\b",
    re.I,
)
_REASON = re.compile(r"\b(?:instead of|rather than|because|since|due to|so that)\b", re.I)
_PIVOT = re.compile(
    r"\b(?:instead|let'?s try|try (?:a different|another)|another approach|different approach|"
    r"(?:didn'?t|did not|doesn'?t|does not) work|fall ?back|workaround|switch(?:ing)? to|"
    r"give up on|abandon)\b",
    re.I,
)
_ALTERNATIVE = re.compile(
    r"\b(?:instead of|rather than)\s+(?P<alt>[^,;.]+?)"
    r"(?=\s+(?:because|since|as|due to|so that)\b|[,;.]|$)",
    re.I,
)
_REASON_CLAUSE = re.compile(r"\b(?:because|since|due to|so that)\b\s*(?P<why>[^.;]+)", re.I)


@dataclass(frozen=True)
class Cue:
    signal: str  # "decision" or "pivot"
    start: int
    end: int
    text: str


def cues(text: str) -> Iterator[Cue]:
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0)
        stripped = sentence.strip()
        if len(stripped) < 12:
            continue
        start = match.start() + sentence.index(stripped)
        end = start + len(stripped)
        if _CHOICE.search(stripped) and _REASON.search(stripped):
            yield Cue("decision", start, end, stripped)
        elif _PIVOT.search(stripped):
            yield Cue("pivot", start, end, stripped)


def alternative(sentence: str) -> str | None:
    match = _ALTERNATIVE.search(sentence)
    return match["alt"].strip() if match else None


def reason(sentence: str) -> str | None:
    match = _REASON_CLAUSE.search(sentence)
    return match["why"].strip() if match else None
