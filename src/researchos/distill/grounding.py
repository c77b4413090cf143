"""Grounding: keep only proposed items whose quotes really are in the transcript.

Rules (docs/distill.md):
1. An item needs at least one quote.
2. A quote's lines lie inside the transcript, span at most ``MAX_SPAN_LINES`` lines, and its
   text (redacted, whitespace-normalised, at least ``MIN_QUOTE_CHARS`` long) occurs in the
   text of those lines.
3. Every number in a claim (statement, numbers, conditions) and in a checkpoint's numbers
   occurs in the text of the spans the item quotes (93% also matches 0.93).
Items that fail are rejected and counted, with the reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from researchos.distill.metrics import NUMBER
from researchos.distill.proposal import (
    ITEM_KINDS,
    DistillProposal,
    Item,
    ProposedCheckpoint,
    ProposedClaim,
    Quote,
    item_label,
)
from researchos.distill.source import scrub

MAX_SPAN_LINES = 400
MIN_QUOTE_CHARS = 4
_NUMBER = re.compile(NUMBER)
SpanText = Callable[[int, int], str]


@dataclass(frozen=True)
class Rejection:
    kind: str
    label: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "item": self.label[:160], "reason": self.reason}


@dataclass(frozen=True)
class Grounded:
    kind: str
    item: Item
    quotes: tuple[Quote, ...]  # redacted, verified


@dataclass(frozen=True)
class GroundingResult:
    accepted: list[Grounded]
    rejected: list[Rejection]

    def counts(self, which: str) -> dict[str, int]:
        items = self.accepted if which == "accepted" else self.rejected
        found = Counter(item.kind for item in items)
        return {kind: found[kind] for kind in ITEM_KINDS}


def normalise(text: str) -> str:
    return " ".join(text.split())


def wanted_lines(proposal: DistillProposal, total: int) -> set[int]:
    lines: set[int] = set()
    for kind in ITEM_KINDS:
        for item in getattr(proposal, kind):
            for q in item.quotes:
                if 1 <= q.line_start <= q.line_end <= total and _short(q):
                    lines.update(range(q.line_start, q.line_end + 1))
    return lines


def _short(q: Quote) -> bool:
    return q.line_end - q.line_start < MAX_SPAN_LINES


def ground(proposal: DistillProposal, span_text: SpanText, total: int) -> GroundingResult:
    accepted, rejected = [], []
    for kind in ITEM_KINDS:
        for item in getattr(proposal, kind):
            problem, quotes = _check(item, span_text, total)
            if problem is None:
                accepted.append(Grounded(kind, item, quotes))
            else:
                rejected.append(Rejection(kind, scrub(item_label(item)), problem))
    return GroundingResult(accepted, rejected)


def _check(item: Item, span_text: SpanText, total: int) -> tuple[str | None, tuple[Quote, ...]]:
    if not item.quotes:
        return "quotes nothing from the transcript", ()
    spans: list[str] = []
    quotes: list[Quote] = []
    for index, q in enumerate(item.quotes):
        problem = _check_quote(q, span_text, total)
        if problem:
            return f"quote {index + 1} (L{q.line_start}-L{q.line_end}): {problem}", ()
        spans.append(span_text(q.line_start, q.line_end))
        quotes.append(q.model_copy(update={"text": scrub(q.text)}))
    missing = _missing_numbers(item, spans)
    if missing:
        return f"number(s) {', '.join(missing)} not in the quoted spans", ()
    return None, tuple(quotes)


def _check_quote(q: Quote, span_text: SpanText, total: int) -> str | None:
    if not 1 <= q.line_start <= q.line_end <= total:
        return f"lines outside the transcript (1-{total})"
    if not _short(q):
        return f"spans more than {MAX_SPAN_LINES} lines"
    wanted = normalise(scrub(q.text))
    if len(wanted) < MIN_QUOTE_CHARS:
        return f"quote shorter than {MIN_QUOTE_CHARS} characters"
    if wanted not in normalise(span_text(q.line_start, q.line_end)):
        return "text not found on those lines"
    return None


def _missing_numbers(item: Item, spans: list[str]) -> list[str]:
    if not isinstance(item, ProposedClaim | ProposedCheckpoint):
        return []
    available = [float(m.group(0)) for text in spans for m in _NUMBER.finditer(text)]
    missing = [text for text, value in _numbers_of(item) if not _present(value, available)]
    return list(dict.fromkeys(missing))


def _numbers_of(item: ProposedClaim | ProposedCheckpoint) -> Iterable[tuple[str, float]]:
    texts = (
        [item.statement, *map(str, item.conditions.values())]
        if isinstance(item, ProposedClaim)
        else []
    )
    for text in texts:
        for match in _NUMBER.finditer(text):
            yield match.group(0), float(match.group(0))
    for number in item.numbers:
        yield f"{number.value:g}", abs(number.value)


def _present(value: float, available: list[float]) -> bool:
    for candidate in available:
        for scaled in (candidate, candidate / 100, candidate * 100):
            if abs(scaled - value) <= 1e-9 * max(1.0, abs(value)):
                return True
    return False
