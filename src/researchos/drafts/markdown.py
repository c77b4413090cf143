"""Markdown as the alignment pass sees it: blocks, sentences, claim markers, masked spans.

Masking replaces a span with spaces of the same length (newlines kept), so every offset and
line number of the masked text is the offset and line number in the file.

Masked before claim markers are read (their content never counts): fenced code blocks, HTML
comments, inline code. Masked before numbers are read: headings (section numbers), claim
markers, images, link targets, URLs, numeric and author-year citation markers, footnote
markers, dates, times, section/figure/table/equation references, version strings and
ordered-list markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_REF_WORDS = (
    r"(?:sections?|sec\.|figures?|figs?\.|tables?|tab\.|equations?|eqs?\.|appendix|appendices|"
    r"chapters?|ch\.|algorithms?|alg\.|lines?|steps?|listings?|theorems?|lemmas?|definitions?|"
    r"propositions?|corollary|footnotes?|pages?|pp\.|p\.)"
)
_REF_ITEM = r"\(?[A-Z]?\d+(?:\.\d+)*[a-z]?\)?"
CODE_PATTERNS = [
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"`[^`\n]*`"),
]
CLAIM_MARKER = re.compile(r"\[claim:([^\]\n]*)\]")
NUMBER_MASKS = [
    re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t].*)?$", re.M),  # headings
    CLAIM_MARKER,
    re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"),  # images
    re.compile(r"(?<=\])\([^)\n]*\)"),  # link targets
    re.compile(r"\[\^[^\]\n]*\]"),  # footnote markers
    re.compile(r"https?://\S+|www\.\S+"),
    re.compile(r"\[\s*\d+(?:\s*[-–,;]\s*\d+)*\s*\]"),  # [3], [1, 4], [2-5]
    re.compile(r"\[@[^\]\n]*\]"),  # pandoc citations
    re.compile(
        r"\((?:see\s+)?[A-Z][\w'’-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+[A-Z][\w'’-]+)?,?\s+"
        r"\d{4}[a-z]?(?:\s*[;,]\s*[^)\n]*)?\)"
    ),  # (Smith et al., 2020; Jones 2019)
    re.compile(r"\bet\s+al\.?\s*\(\d{4}[a-z]?\)"),  # Smith et al. (2020)
    re.compile(
        r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    ),
    re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"),
    re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?(?:,?\s+\d{{4}})?\b"),
    re.compile(rf"\b{_MONTH}\.?,?\s+\d{{4}}\b"),
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?(?![\d:])"),
    re.compile(rf"(?i)\b{_REF_WORDS}\s*{_REF_ITEM}(?:\s*(?:,|and|&|-|–|to)\s*{_REF_ITEM})*"),
    re.compile(rf"§\s*{_REF_ITEM}(?:\s*(?:,|-|–)\s*{_REF_ITEM})*"),
    re.compile(r"\bv?\d+\.\d+\.\d+(?:[.-]?[A-Za-z0-9]+)*\b|\bv\d+(?:\.\d+)?\b"),  # versions
    re.compile(r"^[ \t]*\d+[.)](?=[ \t])", re.M),  # ordered-list markers
]
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]")
_ALONE = re.compile(r"^[ \t]*(?:\||#{1,6}(?:[ \t]|$))")  # table rows and headings
_LEADING_MARKERS = re.compile(r"(?:[ \t]*\[claim:[^\]\n]*\])+[ \t]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[A-Z\[(`*_\"'“‘])")


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(match: re.Match[str]) -> str:
    return _NOT_NEWLINE.sub(" ", match.group(0))


def mask(text: str, patterns: list[re.Pattern[str]]) -> str:
    for pattern in patterns:
        text = pattern.sub(_blank, text)
    return text


def mask_fences(text: str) -> str:
    lines = text.split("\n")
    inside = None
    for i, line in enumerate(lines):
        fence = _FENCE.match(line)
        if inside is not None or fence:
            lines[i] = " " * len(line)
        if fence:
            inside = None if inside == fence.group(1) else (inside or fence.group(1))
    return "\n".join(lines)


@dataclass(frozen=True)
class Marker:
    ids: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """The original text, the text with code masked, and the text with all masks."""

    original: str
    prose: str  # code masked: claim markers here are real
    numeric: str  # everything masked that must not be read as a number
    line_starts: list[int]

    @classmethod
    def parse(cls, text: str) -> Document:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        prose = mask(mask_fences(text), CODE_PATTERNS)
        numeric = mask(prose, NUMBER_MASKS)
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        return cls(text, prose, numeric, starts)

    def line_of(self, offset: int) -> int:
        low, high = 0, len(self.line_starts) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self.line_starts[mid] <= offset:
                low = mid
            else:
                high = mid - 1
        return low + 1

    def markers(self, start: int, end: int) -> list[Marker]:
        found = []
        for match in CLAIM_MARKER.finditer(self.prose, start, end):
            items = [part.strip() for part in re.split(r"[,;]", match.group(1))]
            ids = tuple(item.removeprefix("claim:").strip() for item in items)
            found.append(Marker(ids, match.start(), match.end()))
        return found

    def blocks(self) -> Iterator[tuple[int, int]]:
        """Paragraphs, list items, table rows and headings as (start, end) offsets."""
        start: int | None = None
        ends = [*self.line_starts[1:], len(self.prose) + 1]
        for line_start, next_start in zip(self.line_starts, ends, strict=True):
            line = self.prose[line_start : next_start - 1]
            alone = bool(_ALONE.match(line))
            if not line.strip() or _ITEM.match(line) or alone:
                if start is not None:
                    yield start, line_start
                start = None
            if alone:
                yield line_start, next_start - 1
            elif line.strip() and start is None:
                start = line_start
        if start is not None:
            yield start, len(self.prose)

    def sentences(self, start: int, end: int) -> list[Sentence]:
        """Sentences of a block; a marker right after a full stop joins the sentence before.

        "It reaches 0.91. [claim:C1] Then..." cites C1 for the first sentence, the usual style
        of putting citations after the period.
        """
        cuts = [start]
        for match in _SENTENCE_END.finditer(self.prose, start, end):
            lead = _LEADING_MARKERS.match(self.prose, match.end(), end)
            cuts.append(lead.end() if lead else match.end())
        bounds = [*cuts, end]
        out = [Sentence(a, b) for a, b in pairwise(bounds) if a < b]
        return [s for s in out if self.prose[s.start : s.end].strip()]
