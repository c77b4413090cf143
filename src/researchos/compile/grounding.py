"""The grounding check: a proposed claim stands only on text that is really in the paper.

A proposal is accepted when its quote (compared in ``text.normalize`` form) lies inside its
named passage, or inside a run of up to four consecutive passages of one text unit anywhere
in the paper's body (models misnumber passages more often than they invent text). Every
number of the statement and every listed number must then appear in that quoted text
(``drafts.numbers`` rules: within rounding of the last shown digit; a percentage also
matches its fraction; citation markers, figure and section references, URLs and dates are
not numbers). Anything else is rejected with a reason, and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from researchos.compile.document import PaperDocument, Passage
from researchos.compile.proposals import ProposedClaim, ProposedNumber
from researchos.compile.text import normalize
from researchos.drafts.markdown import NUMBER_MASKS, mask
from researchos.drafts.numbers import TextNumber, find_numbers, matches

MAX_WINDOW = 4
# "Fig 2", "Tab 1", "Eq 3" without the period that drafts' reference masks expect
_SHORT_REFERENCES = re.compile(r"\b(?:Figs?|Tabs?|Eqs?|Secs?|Ref)\.?\s*\d+[a-z]?\b")


@dataclass(frozen=True)
class NumberSpan:
    number: ProposedNumber
    start: int  # span of the number in the unit's text file
    end: int


@dataclass(frozen=True)
class GroundedClaim:
    proposal: ProposedClaim
    passages: tuple[Passage, ...]
    numbers: tuple[NumberSpan, ...]

    @property
    def unit(self) -> str:
        return self.passages[0].unit

    @property
    def start(self) -> int:
        return self.passages[0].start

    @property
    def end(self) -> int:
        return self.passages[-1].end


@dataclass(frozen=True)
class Rejection:
    passage: str
    quote: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"passage": self.passage, "quote": self.quote[:300], "reason": self.reason}


@dataclass
class Grounding:
    accepted: list[GroundedClaim] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


class _Index:
    """Body passages by unit, with their normal forms computed once."""

    def __init__(self, doc: PaperDocument) -> None:
        self.doc = doc
        self.body = [p for p in doc.passages if p.body]
        self.position = {p.id: i for i, p in enumerate(self.body)}
        self.normal = [normalize(p.text) for p in self.body]

    def window(self, i: int, size: int) -> tuple[Passage, ...] | None:
        run = self.body[i : i + size]
        if len(run) < size or any(p.unit != run[0].unit for p in run):
            return None
        return tuple(run)

    def find(self, needle: str, hint: str) -> tuple[Passage, ...] | None:
        order = list(range(len(self.body)))
        if hint in self.position:
            start = self.position[hint]
            order = [*range(max(0, start - MAX_WINDOW + 1), start + 1), *order]
        for size in range(1, MAX_WINDOW + 1):
            for i in order:
                run = self.window(i, size)
                if run and needle in " ".join(self.normal[i : i + size]):
                    return run
        return None


def ground(doc: PaperDocument, proposals: list[ProposedClaim]) -> Grounding:
    index = _Index(doc)
    result = Grounding()
    seen: set[tuple[str, int, int, str]] = set()
    for proposal in proposals:
        outcome = _ground_one(index, proposal)
        if isinstance(outcome, Rejection):
            result.rejected.append(outcome)
            continue
        key = (outcome.unit, outcome.start, outcome.end, normalize(proposal.statement))
        if key in seen:
            result.rejected.append(Rejection(proposal.passage, proposal.quote, "duplicate"))
            continue
        seen.add(key)
        result.accepted.append(outcome)
    return result


def _ground_one(index: _Index, proposal: ProposedClaim) -> GroundedClaim | Rejection:
    needle = normalize(proposal.quote)
    if not needle or not normalize(proposal.statement):
        return Rejection(proposal.passage, proposal.quote, "empty quote or statement")
    run = index.find(needle, proposal.passage)
    if run is None:
        return Rejection(proposal.passage, proposal.quote, "quote not found in the paper")
    raw = index.doc.unit(run[0].unit).text[run[0].start : run[-1].end]
    quoted = normalize(raw)
    present = numbers_in(quoted)
    missing = [n.raw for n in numbers_in(proposal.statement) if not _in(n, present)]
    missing += [n.text for n in proposal.numbers if not _value_in(n.value, present)]
    if missing:
        reason = f"numbers not in the quoted passage: {', '.join(missing[:5])}"
        return Rejection(proposal.passage, proposal.quote, reason)
    spans = tuple(_span(number, raw, run[0].start) for number in proposal.numbers)
    return GroundedClaim(proposal, run, spans)


def numbers_in(text: str) -> list[TextNumber]:
    """Checkable numbers: citations, figure and section references, URLs, dates masked."""
    return list(find_numbers(mask(normalize(text), [*NUMBER_MASKS, _SHORT_REFERENCES])))


def _references(present: list[TextNumber]) -> list[float]:
    values = []
    for number in present:
        values.append(number.value)
        if number.percent:
            values.append(number.value / 100)
    return values


def _in(number: TextNumber, present: list[TextNumber]) -> bool:
    return matches(number, _references(present))


def _value_in(value: float, present: list[TextNumber]) -> bool:
    return any(matches(number, [value]) for number in present)


def _span(number: ProposedNumber, raw: str, offset: int) -> NumberSpan:
    start, end = locate(number.text, raw, offset)
    return NumberSpan(number, start, end)


def locate(written: str, raw: str, offset: int) -> tuple[int, int]:
    """Where ``written`` (a number as shown) is in ``raw``; the whole of ``raw`` if absent."""
    text = written.strip()
    match = re.search(re.escape(text).replace(r"\ ", r"\s+"), raw) if text else None
    if match is None:
        return offset, offset + len(raw)
    return offset + match.start(), offset + match.end()
