"""Finding the numbers a sentence states, and matching them to a claim's numbers.

What counts as a number (rules in docs/analysis.md, "Alignment rules"):

- decimals, integers, thousands separators (``12,345.6``), scientific notation (``2.6e-06``,
  ``2.6 × 10^-6``, ``2.6×10⁻⁶``), an explicit sign (``-``, ``+``, ``−``), a percent
  (``93%``, ``93 percent``) or percentage points (``3.8 pp``), a ``k``/``M`` multiplier;
- a bound (``p < 0.001``, ``≥ 0.9``) is checked as an inequality, not as a value;
- a dash between two numbers is a range (``0.91–0.93``, ``0.91-0.93``), never a sign;
- ignored: numbers glued to letters (``ResNet50``, ``CIFAR-10``, ``3rd``, hex digests),
  years (plain integers 1900–2099), and whatever ``ignored_spans`` masks (dates, times,
  section/figure/table references, citation markers, URLs, versions, code).

A shown number matches a claim number when they agree within half a unit of the last shown
digit (``0.91`` matches 0.9149; ``1.2e-05`` matches 1.24e-05), or within the six significant
digits claims store. Unsigned text matches either sign (prose says "drops by 0.04").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_MINUS = "-−–"  # hyphen-minus, minus sign, en dash (a sign only where no range is possible)
NUMBER = re.compile(
    r"(?P<bound><=|>=|≤|≥|<|>)?\s*"
    r"(?P<sign>[-+−–])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<exp>[eE][-+−]?\d+|\s?[×x*]\s?10"
    r"(?:\^\(?(?P<pow>[-+−]?\d+)\)?|\*\*(?P<pow2>[-+−]?\d+)|(?P<sup>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)))?"
    r"(?P<pct>\s?%|\s(?:percent|per\s?cent)\b)?"
    r"(?P<pp>\s?(?:pp\b|p\.p\.|percentage\s+points?\b))?"
    r"(?P<mult>[kKM]\b)?"
)
_LETTERS_AFTER = re.compile(r"[A-Za-z_]+")
UNITS = frozenset(
    {"x", "s", "ms", "us", "µs", "ns", "min", "h", "hr", "hrs", "d", "B", "KB", "kB", "MB"}
    | {"GB", "TB", "Hz", "kHz", "MHz", "GHz", "px", "dB", "W", "kW", "J", "K", "eV"}
)
_ORDINAL = frozenset({"st", "nd", "rd", "th"})
_CI_AFTER = re.compile(r"\s*(?:CI\b|confidence\b|credible\b)", re.I)
PERCENT_UNITS = frozenset({"%", "percent", "pct", "percentage"})


@dataclass(frozen=True)
class TextNumber:
    raw: str
    value: float  # as written: 93 for "93%", negative when signed
    tolerance: float  # half a unit of the last shown digit, in the scale of ``value``
    percent: bool  # % or percentage points: also compared as value / 100
    signed: bool  # an explicit sign was written
    bound: str | None  # "<", "<=", ">" or ">=" when the number is a limit
    start: int
    end: int
    ci_level: bool = False  # "95% CI", "90% confidence interval"

    def candidates(self) -> list[tuple[float, float]]:
        out = [(self.value, self.tolerance)]
        if self.percent:
            out.append((self.value / 100, self.tolerance / 100))
        return out


def _decimals(digits: str) -> int:
    return len(digits.split(".", 1)[1]) if "." in digits else 0


def _exponent(match: re.Match[str]) -> int:
    exp = match["exp"]
    if not exp:
        return 0
    power = match["pow"] or match["pow2"] or match["sup"]
    if power:
        return int(power.translate(_SUPERSCRIPT).replace("−", "-"))
    return int(exp[1:].replace("−", "-"))


def _is_range_dash(text: str, sign_at: int) -> bool:
    """A dash right after a number (spaces allowed) joins a range: 0.91–0.93, 3 - 5."""
    before = text[:sign_at].rstrip()
    return bool(before) and (before[-1].isdigit() or before[-1] == "%")


def _glued(text: str, match: re.Match[str]) -> bool:
    """Part of an identifier: a letter or digit directly before, or a non-unit word after."""
    begin = match.start("sign") if match["sign"] else match.start("num")
    prev = text[begin - 1] if begin else " "
    # "0.91–0.93": a dash right after a number opens the second half of a range
    range_end = bool(match["sign"]) and (prev.isdigit() or prev == "%")
    if (prev.isalnum() or prev in ("_", ".")) and not range_end:
        return True
    before = text[begin - 2] if begin >= 2 else " "
    if prev in ("-", "/", "–", "−") and (before.isalpha() or before == "_"):
        return True  # CIFAR-10, GPT-4, A/2
    after = _LETTERS_AFTER.match(text, match.end())
    if after is None:
        return False
    word = after.group(0)
    return word in _ORDINAL or (word not in UNITS and not match["pct"] and not match["pp"])


def find_numbers(text: str) -> Iterator[TextNumber]:
    """Every checkable number in ``text`` (already masked by ``ignored_spans``)."""
    for match in NUMBER.finditer(text):
        if _glued(text, match):
            continue
        number = _parse(text, match)
        if number is not None:
            yield number


def _parse(text: str, match: re.Match[str]) -> TextNumber | None:
    digits = match["num"]
    exponent = _exponent(match)
    scale = 10.0**exponent * (1e3 if match["mult"] in ("k", "K") else 1e6 if match["mult"] else 1)
    sign_char = match["sign"] or ""
    signed = bool(sign_char) and not (
        sign_char in _MINUS and _is_range_dash(text, match.start("sign"))
    )
    value = float(digits.replace(",", "")) * scale
    if signed and sign_char in _MINUS:
        value = -value
    percent = bool(match["pct"] or match["pp"])
    plain = not (exponent or match["mult"] or percent or signed or "," in digits or "." in digits)
    if plain and 1900 <= value <= 2099 and not match["bound"]:
        return None  # a year
    start = match.start("sign") if signed else match.start("num")
    shown = match.start("bound") if match["bound"] else start
    return TextNumber(
        raw=text[shown : match.end()].strip(),
        value=value,
        tolerance=0.5 * 10.0 ** (-_decimals(digits)) * scale,
        percent=percent,
        signed=signed,
        bound=_bound(match["bound"]),
        start=start,
        end=match.end(),
        ci_level=percent and bool(_CI_AFTER.match(text, match.end())),
    )


def _bound(text: str | None) -> str | None:
    return {"≤": "<=", "≥": ">=", None: None}.get(text, text)


def matches(number: TextNumber, references: list[float]) -> bool:
    """Does any reference number support ``number`` (within rounding, or as its bound)?"""
    if number.bound:
        return _bound_holds(number, references)
    for value, tolerance in number.candidates():
        for ref in references:
            target = ref if number.signed else abs(ref)
            slack = tolerance + max(5e-6 * abs(ref), 1e-12)
            if abs(target - (value if number.signed else abs(value))) <= slack:
                return True
    return False


def _bound_holds(number: TextNumber, references: list[float]) -> bool:
    for value, _ in number.candidates():
        for ref in references:
            if number.bound in ("<", "<=") and 0 <= abs(ref) <= value + 1e-12 and ref != 0:
                return True
            if number.bound in (">", ">=") and abs(ref) >= value - 1e-12:
                return True
    return False


def is_percent_unit(unit: str | None) -> bool:
    return unit is not None and unit.strip().lower() in PERCENT_UNITS


def finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]
