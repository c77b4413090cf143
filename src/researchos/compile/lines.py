"""Classifying the lines of PDF pages: headings, captions, running headers, body text.

PDF text has no markup, so structure is read from the shape of each line:

- running headers and footers: lines that repeat (digits masked) on at least half the pages
  and sit in the page margins (top or bottom 7%, left or right 10%) or run sideways, as
  licence notes in margins do;
- headings: short lines without a final period that are numbered ("3.1 Results"), upper
  case ("INTRODUCTION"), a known section name ("Conclusion"), or set in a larger font;
- captions: lines opening with "Figure 3:", "Fig. 3." or "Table 2:" (a label followed by a
  colon, a period or two spaces — "Figure 3 shows" is body text);
- everything else is body text.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from researchos.compile.pdf import PageText

KNOWN_SECTIONS = frozenset(
    {
        "abstract",
        "introduction",
        "background",
        "related work",
        "method",
        "methods",
        "methodology",
        "approach",
        "experiments",
        "experimental setup",
        "experiment",
        "evaluation",
        "results",
        "discussion",
        "conclusion",
        "conclusions",
        "summary",
        "references",
        "bibliography",
        "acknowledgments",
        "acknowledgements",
        "appendix",
        "limitations",
        "future work",
        "materials and methods",
        "data availability",
        "code availability",
    }
)
REFERENCE_TITLES = frozenset({"references", "bibliography", "literature cited", "works cited"})
_NUMBERED = re.compile(r"^(?P<num>(?:\d+|[A-Z])(?:\.\d+)*)\.?\s+(?P<title>[A-Z][^.:;]{1,80})$")
CAPTION = re.compile(
    r"^(?P<kind>Figure|Fig\.|FIGURE|FIG\.|Table|TABLE)\s*(?P<num>\d+)\s*(?:[:.|]|\s{2,})\s*(?P<rest>.*)$"
)
_DIGITS = re.compile(r"\d+")
_MARGIN_X, _MARGIN_Y = 0.10, 0.07  # fractions of the page width and height


@dataclass(frozen=True)
class Line:
    page: int
    start: int
    end: int
    text: str  # stripped
    size: float
    kind: str = "body"  # body | blank | boilerplate | heading | caption
    level: int = 1
    marginal: bool = False  # in the outer band of the page, or set sideways


def _raw_lines(page: PageText) -> list[Line]:
    lines, cursor = [], 0
    for raw in page.text.split("\n"):
        end = cursor + len(raw)
        lead = len(raw) - len(raw.lstrip())
        stripped = raw.strip()
        start = cursor + lead
        size = page.size_at(start, start + len(stripped)) if stripped else 0.0
        kind = "body" if stripped else "blank"
        marginal = _marginal(page, start, start + len(stripped), size)
        lines.append(
            Line(page.number, start, start + len(stripped), stripped, size, kind, 1, marginal)
        )
        cursor = end + 1
    return lines


def _marginal(page: PageText, start: int, end: int, size: float) -> bool:
    box = page.box(start, end)
    if box is None:
        return True
    x0, y0, x1, y1 = box
    band_x, band_y = _MARGIN_X * page.width, _MARGIN_Y * page.height
    sideways = size > 0 and (y1 - y0) > 3 * size
    outside = y0 > page.height - band_y or y1 < band_y or x1 < band_x or x0 > page.width - band_x
    return sideways or outside


def _mask(text: str) -> str:
    return _DIGITS.sub("#", text.lower())


def _boilerplate(pages: list[list[Line]]) -> set[str]:
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_mask(line.text) for line in page if line.text})
    return {text for text, n in seen.items() if n >= max(2, (len(pages) + 1) // 2)}


def _heading_level(line: Line, body_size: float) -> int | None:
    text = line.text.rstrip("*† ")
    if not 2 <= len(text) <= 90 or text.endswith((".", ",", ";")) or len(text.split()) > 12:
        return None
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3 or sum(c.isalpha() or c.isspace() for c in text) < 0.6 * len(text):
        return None
    if text.lower().strip(": ") in KNOWN_SECTIONS:
        return 1
    numbered = _NUMBERED.match(text)
    if numbered and numbered["num"][0].isdigit() and int(numbered["num"].split(".")[0]) < 40:
        return numbered["num"].count(".") + 1
    if sum(c.isupper() for c in letters) >= 0.9 * len(letters) and len(letters) >= 4:
        return 1
    if body_size and line.size >= 1.2 * body_size and len(text.split()) <= 10:
        return 1
    return None


def classify(pages: list[PageText]) -> list[list[Line]]:
    """Lines of every page, each with its kind (and level, for headings)."""
    raw = [_raw_lines(page) for page in pages]
    boiler = _boilerplate(raw)
    sizes = [line.size for page in raw for line in page if line.kind == "body" and line.size]
    body_size = statistics.median(sizes) if sizes else 0.0
    return [[_kind(line, boiler, body_size) for line in page] for page in raw]


def _kind(line: Line, boiler: set[str], body_size: float) -> Line:
    if line.kind == "blank":
        return line
    repeated = _mask(line.text) in boiler and (line.marginal or len(line.text) <= 3)
    if repeated or (line.marginal and _DIGITS.fullmatch(line.text)):
        return _with(line, "boilerplate")
    if CAPTION.match(line.text):
        return _with(line, "caption")
    level = _heading_level(line, body_size)
    if level is not None:
        return _with(line, "heading", level)
    return line


def _with(line: Line, kind: str, level: int = 1) -> Line:
    return Line(line.page, line.start, line.end, line.text, line.size, kind, level, line.marginal)


def heading_title(text: str) -> str:
    """A heading as shown in the ARA: numbering kept, footnote marks dropped."""
    return text.rstrip("*† ").strip()


def is_reference_heading(text: str) -> bool:
    words = re.sub(r"^[\dIVX.]+\s+", "", heading_title(text)).lower().strip(": ")
    return words in REFERENCE_TITLES


def is_title(text: str) -> bool:
    """Could this first heading of page one be the paper's title (not "1 Introduction")?"""
    return not _NUMBERED.match(text) and text.lower().strip(": ") not in KNOWN_SECTIONS
