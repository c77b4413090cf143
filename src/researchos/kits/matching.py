"""Which kits fit a brief: deterministic keyword matching, no model involved.

A brief and each keyword are reduced to lowercase word tokens with a crude plural fold
("classifiers" -> "classifier"), so matching is stable and explainable: a kit's score is the
number of its distinct keywords (single words or phrases) that occur in the brief.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from researchos.errors import InputError

_WORD = re.compile(r"[a-z0-9]+")
MAX_BRIEF_CHARS = 200_000


def tokens(text: str) -> tuple[str, ...]:
    return tuple(_fold(word) for word in _WORD.findall(text.lower()))


def _fold(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def check_brief(brief: str) -> str:
    """The brief, stripped; an empty or oversized brief is an InputError naming the fix."""
    text = brief.strip() if isinstance(brief, str) else ""
    if not text or not _WORD.search(text.lower()):
        raise InputError(
            "the research brief is empty",
            field="brief",
            fix="write one or more sentences on the question to study",
        )
    if len(text) > MAX_BRIEF_CHARS:
        raise InputError(
            f"the research brief has {len(text):,} characters (at most {MAX_BRIEF_CHARS:,})",
            field="brief",
            fix="shorten the brief; put background material in a --background archive",
        )
    return text


def contains_phrase(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    width = len(needle)
    return width > 0 and any(
        haystack[i : i + width] == needle for i in range(len(haystack) - width + 1)
    )


def keyword_score(brief_tokens: tuple[str, ...], keywords: Iterable[str]) -> float:
    phrases = {tokens(keyword) for keyword in keywords}
    return float(sum(1 for phrase in phrases if contains_phrase(brief_tokens, phrase)))
