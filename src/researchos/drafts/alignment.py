"""The alignment pass: prose may cite only existing claims, and may state only their numbers.

- ``[claim:<id>]`` (or ``[claim:a, claim:b]``) naming no claim of the ARA -> P0.
- Citing a withdrawn or retracted claim -> P1.
- A confidence level ("95% CI") must match the ``confidence`` condition of a cited claim when
  one declares it, and is not checked otherwise (a convention, not a measurement).
- In a sentence that cites claims, every number must match a number of those claims. In a
  sentence without citations inside a paragraph (or list item, or table row) that cites
  claims, every number must match a number of the paragraph's claims. A number that matches
  none -> P1. Paragraphs that cite no claim are not checked.

A claim's numbers are its ``numbers`` (value, ci_low, ci_high, n; divided by 100 as well when
the unit is a percent), the numbers written in its statement, and its numeric conditions.
Number syntax and matching rules: ``drafts.numbers``; masked spans: ``drafts.markdown``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from researchos.artifacts.models import Claim
from researchos.drafts.markdown import CODE_PATTERNS, NUMBER_MASKS, Document, Marker, mask
from researchos.drafts.numbers import TextNumber, find_numbers, is_percent_unit, matches

Severity = Literal["P0", "P1", "P2", "P3"]
_ITEM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_DEAD = ("withdrawn", "retracted")


@dataclass(frozen=True)
class AlignmentIssue:
    severity: Severity
    line: int
    text: str
    number: str | None
    reason: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def claim_numbers(claim: Claim) -> list[float]:
    """Every number a citing sentence may state on the strength of ``claim``."""
    out: list[float] = []
    for number in claim.numbers:
        values = [number.value, number.ci_low, number.ci_high, number.n]
        for value in (float(v) for v in values if v is not None):
            out.append(value)
            if is_percent_unit(number.unit):
                out.append(value / 100)
    statement = mask(mask(claim.statement, CODE_PATTERNS), NUMBER_MASKS)
    for found in find_numbers(statement):
        if not found.bound:
            out.extend(value for value, _ in found.candidates())
    for condition in claim.conditions.values():
        if isinstance(condition, int | float) and not isinstance(condition, bool):
            out.append(float(condition))
    return out


class _Checker:
    def __init__(self, document: Document, claims: dict[str, Claim]) -> None:
        self.doc = document
        self.claims = claims
        self.numbers: dict[str, list[float]] = {}
        self.issues: list[AlignmentIssue] = []

    def refs(self, ids: Iterable[str]) -> list[float]:
        out: list[float] = []
        for claim_id in ids:
            if claim_id not in self.numbers:
                self.numbers[claim_id] = claim_numbers(self.claims[claim_id])
            out.extend(self.numbers[claim_id])
        return out

    def levels(self, ids: Iterable[str]) -> list[float]:
        """Declared confidence levels (``conditions.confidence``) of the cited claims."""
        out = []
        for claim_id in ids:
            level = self.claims[claim_id].conditions.get("confidence")
            if isinstance(level, int | float) and not isinstance(level, bool):
                out.append(float(level))
        return out

    def snippet(self, start: int, end: int) -> str:
        return " ".join(self.doc.original[start:end].split())[:240]

    def issue(
        self, severity: Severity, at: int, span: tuple[int, int], number: str | None, why: str
    ) -> None:
        line = self.doc.line_of(at)
        self.issues.append(AlignmentIssue(severity, line, self.snippet(*span), number, why))

    def known(self, markers: list[Marker], span: tuple[int, int]) -> list[str]:
        """Cited ids that exist; unknown, malformed and dead citations become issues."""
        ids: list[str] = []
        for marker in markers:
            for claim_id in marker.ids:
                if not claim_id or not _ITEM_ID.match(claim_id):
                    self.issue("P0", marker.start, span, None, f"malformed claim id {claim_id!r}")
                elif claim_id not in self.claims:
                    self.issue("P0", marker.start, span, None, f"unknown claim id {claim_id}")
                else:
                    if self.claims[claim_id].status in _DEAD:
                        status = self.claims[claim_id].status
                        self.issue("P1", marker.start, span, None, f"cites {status} {claim_id}")
                    ids.append(claim_id)
        return list(dict.fromkeys(ids))

    def block(self, start: int, end: int) -> None:
        sentences = self.doc.sentences(start, end)
        cited = [self.known(self.doc.markers(s.start, s.end), (s.start, s.end)) for s in sentences]
        in_block = list(dict.fromkeys(i for ids in cited for i in ids))
        if not in_block:
            return
        for sentence, ids in zip(sentences, cited, strict=True):
            scope = ids or in_block
            refs = self.refs(scope)
            text = self.doc.numeric[sentence.start : sentence.end]
            for found in find_numbers(text):
                if found.ci_level:
                    levels = self.levels(scope)
                    if levels and not matches(found, levels):
                        self.unsupported(
                            found, sentence.start, (sentence.start, sentence.end), scope
                        )
                elif not matches(found, refs):
                    self.unsupported(found, sentence.start, (sentence.start, sentence.end), scope)

    def unsupported(
        self, found: TextNumber, offset: int, span: tuple[int, int], scope: list[str]
    ) -> None:
        what = "bound" if found.bound else "number"
        names = ", ".join(scope)
        why = f"{what} {found.raw} matches no number of the cited claim(s) {names}"
        self.issue("P1", offset + found.start, span, found.raw, why)


def check_alignment(markdown: str, claims: Iterable[Claim]) -> list[AlignmentIssue]:
    """All alignment issues of ``markdown`` against ``claims``, in file order."""
    checker = _Checker(Document.parse(markdown), {c.id: c for c in claims})
    for start, end in checker.doc.blocks():
        checker.block(start, end)
    return sorted(checker.issues, key=lambda i: (i.line, i.severity))


def blocking(issues: Iterable[AlignmentIssue]) -> list[AlignmentIssue]:
    """Issues that block freezing a package (P0 and P1)."""
    return [issue for issue in issues if issue.severity in ("P0", "P1")]
