"""Printed metrics in one line of output: ``name: value``, ``name=value``, ``accuracy 0.93``,
``93.1% accuracy``, JSON metrics lines and rows of pipe or whitespace tables.

Only names that contain a metric word count (accuracy, loss, f1, auc, bleu, rmse, ...), so
``epoch 3`` or ``line: 12`` are not metrics. Each hit carries the character range it covers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

_WORDS = """acc accuracy loss nll f1 f1score precision recall auc auroc roc rocauc aupr ap map
bleu rouge rougel meteor perplexity ppl mse rmse mae mape r2 error err wer cer top1 top5
throughput latency runtime speedup score reward return iou miou dice em exactmatch ndcg mrr kl
elbo likelihood coverage pvalue sharpe fid psnr ssim auprc brier ece"""
METRIC_WORDS = frozenset(_WORDS.split())
NAMED = re.compile(r"^(?:top-?\d+|pass@\d+|(?:map|ndcg|recall|precision|hits)@\d+|r\^2)$", re.I)
_STOP = "the a an final our on of is was with and to at in for by after then"
STOP = frozenset(_STOP.split())
NUMBER = r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_NUMERIC_CELL = re.compile(rf"^[-+]?{NUMBER}\s?%?$")
_INLINE = re.compile(
    r"(?<![\w./@^-])(?P<name>[A-Za-z][\w./@^-]*(?: [A-Za-z][\w./@^-]*){0,2})"
    r"(?:\s*[:=]\s*|\s+(?:of|is|was|=)\s+|\s+)"
    rf"(?P<value>[-+]?{NUMBER})(?![\d]|\.\d)(?P<unit>\s?%|\s?ms\b|\s?s\b)?"
)
_PERCENT_FIRST = re.compile(
    rf"(?<![\w.])(?P<value>{NUMBER})\s?(?P<unit>%)\s+(?P<name>[A-Za-z][\w@-]*(?: [A-Za-z][\w@-]*)?)"
)
_JSON_VALUE = re.compile(rf"\s*:\s*[-+]?{NUMBER}")
_SPLIT = re.compile(r"[\s_.-]+")
_TOKENS = re.compile(r"[\s_./@:()\[\]-]+")
_SEPARATOR = re.compile(r":?-{2,}:?")
_HEADER_LINE = re.compile(r"^\s*[A-Za-z][\w@./-]*(?:\s+[A-Za-z][\w@./-]*)+\s*$")


@dataclass(frozen=True)
class MetricHit:
    name: str
    value: float
    unit: str | None
    start: int
    end: int


@lru_cache(maxsize=65536)
def is_metric_name(name: str) -> bool:
    lowered = name.lower().strip()
    if NAMED.match(lowered):
        return True
    if _SPLIT.sub("", lowered) in METRIC_WORDS:
        return True
    return any(token in METRIC_WORDS for token in _TOKENS.split(lowered))


@lru_cache(maxsize=65536)
def clean_name(name: str) -> str:
    words = name.split()
    while words and words[0].lower() in STOP:
        words.pop(0)
    while words and words[-1].lower() in STOP:
        words.pop()
    return " ".join(words)


def numeric_cell(cell: str) -> float | None:
    cell = cell.strip()
    if not _NUMERIC_CELL.match(cell):
        return None
    return float(cell.rstrip("%").strip())


def inline_metrics(line: str) -> list[MetricHit]:
    """``name: value`` style metrics (and ``93% accuracy``) found in ``line``."""
    hits = []
    for match in _INLINE.finditer(line):
        name = clean_name(match["name"])
        if name and is_metric_name(name):
            unit = (match["unit"] or "").strip() or None
            hits.append(MetricHit(name, float(match["value"]), unit, match.start(), match.end()))
    if "%" in line:
        for match in _PERCENT_FIRST.finditer(line):
            name = clean_name(match["name"])
            if (
                name
                and is_metric_name(name)
                and not any(h.start <= match.start() < h.end for h in hits)
            ):
                hits.append(MetricHit(name, float(match["value"]), "%", match.start(), match.end()))
    return hits


def json_metrics(line: str) -> list[MetricHit] | None:
    """Metrics of a JSON object line; None when the line is not a JSON object."""
    stripped = line.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")) or len(stripped) > 8192:
        return None
    try:
        data = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("metric"), str) and _is_number(data.get("value")):
        start = line.find('"value"')
        return [MetricHit(data["metric"], float(data["value"]), None, max(start, 0), len(line))]
    hits = []
    for key, value in _flat(data):
        if isinstance(value, int | float) and not isinstance(value, bool) and is_metric_name(key):
            start = line.find(f'"{key}"')
            found = _JSON_VALUE.match(line, start + len(key) + 2) if start >= 0 else None
            end = found.end() if found else len(line)
            hits.append(MetricHit(key, float(value), None, max(start, 0), end))
    return hits


def _flat(data: dict[str, object]) -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            items.extend((str(k), v) for k, v in value.items())
        else:
            items.append((str(key), value))
    return items


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class TableReader:
    """Rows of pipe tables and whitespace tables under a header naming a metric."""

    def __init__(self) -> None:
        self.header: list[str] | None = None
        self.pipe = False

    def feed(self, line: str) -> list[MetricHit] | None:
        """Metrics of a table row; [] for a header or separator; None when not in a table."""
        pipe_cells = _pipe_cells(line)
        if self.header is not None and (pipe_cells is not None) == self.pipe:
            cells = pipe_cells if pipe_cells is not None else line.split()
            if self.pipe and all(_SEPARATOR.fullmatch(c) for c in cells if c):
                return []
            row = self._row(line, cells)
            if row is not None:
                return row
        self.header = None
        if pipe_cells is not None and _is_header(pipe_cells, pipe=True):
            self.header, self.pipe = pipe_cells, True
            return []
        if pipe_cells is None and _HEADER_LINE.match(line) and _is_header(line.split(), pipe=False):
            self.header, self.pipe = line.split(), False
            return []
        return None

    def _row(self, line: str, cells: list[str]) -> list[MetricHit] | None:
        header = self.header or []
        offset = len(cells) - len(header)
        if offset not in ((0,) if self.pipe else (0, 1)):
            return None
        label = next(
            (cells[j + offset] for j, h in enumerate(header) if not is_metric_name(h)), cells[0]
        )
        hits = []
        for j, name in enumerate(header):
            value = numeric_cell(cells[j + offset]) if is_metric_name(name) else None
            if value is not None:
                full = f"{name} ({label})" if label and label != cells[j + offset] else name
                unit = "%" if cells[j + offset].endswith("%") else None
                hits.append(MetricHit(full, value, unit, 0, len(line)))
        return hits or None


def _pipe_cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped.startswith("|") or stripped.count("|") < 3:
        return None
    return [cell.strip() for cell in stripped.strip("|").split("|")]


def _is_header(cells: list[str], *, pipe: bool) -> bool:
    if not 2 <= len(cells) <= 16:
        return False
    # a whitespace header was matched by _HEADER_LINE already; a pipe header has no numbers
    if pipe and any(numeric_cell(c) is not None for c in cells):
        return False
    return any(is_metric_name(c) for c in cells if c)
