"""Sentences with their character spans, and the normal form quotes are compared in.

Spans always index the original text, so a passage's locator points at the exact characters
of the text file written into the ARA. Comparison (grounding) happens on a normal form:
Unicode NFKC (ligatures such as "ﬁ" become "fi"), words split across lines by a hyphen joined
again, runs of whitespace collapsed to one space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

MAX_SENTENCE = 1200  # longer "sentences" are tables or noise: cut at line breaks
_ABBREVIATIONS = frozenset(
    [
        "fig",
        "figs",
        "eq",
        "eqs",
        "al",
        "e.g",
        "i.e",
        "vs",
        "cf",
        "sec",
        "secs",
        "no",
        "nos",
        "ref",
        "refs",
        "approx",
        "dr",
        "mr",
        "ms",
        "prof",
        "resp",
        "ca",
        "tab",
        "st",
        "jr",
        "sr",
        "vol",
        "pp",
        "ed",
        "eds",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "univ",
    ]
)
_END = re.compile(r"[.!?](?:[\"'”’)\]]*)(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n[ \t]*\n")
_LINE_HYPHEN = re.compile(r"(?<=[a-z])-[ \t]*\n[ \t]*(?=[a-z])")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """The form quotes and passages are compared in (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = _LINE_HYPHEN.sub("", text)
    return _SPACE.sub(" ", text).strip()


def collapse(text: str) -> str:
    """Whitespace collapsed, nothing else changed (HTML element text)."""
    return _SPACE.sub(" ", text).strip()


def _abbreviation_before(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    if len(word) == 1 and word.isalpha():
        # an initial ("J. Smith"), not a unit ("cooled to 2K. Then", "120 Hz/V. When")
        return start == 0 or text[start - 1].isspace() or text[start - 1] in "(["
    return word in _ABBREVIATIONS


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in ``text[start:end]``, trimmed of surrounding space."""
    end = len(text) if end is None else end
    cursor = start
    for match in _END.finditer(text, start, end):
        if match.group(0)[0] == "." and _abbreviation_before(text, match.start()):
            continue
        yield from _trimmed(text, cursor, match.end())
        cursor = match.end()
    yield from _trimmed(text, cursor, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < 2:
        return
    if end - start <= MAX_SENTENCE:
        yield start, end
        return
    cut = text.rfind("\n", start, start + MAX_SENTENCE)
    cut = cut if cut > start else start + MAX_SENTENCE
    yield from _trimmed(text, start, cut)
    yield from _trimmed(text, cut, end)


def contains_quote(haystack: str, quote: str) -> bool:
    """Is the (normalized) quote inside the (normalized) haystack? Empty quotes never are."""
    needle = normalize(quote)
    return bool(needle) and needle in normalize(haystack)
