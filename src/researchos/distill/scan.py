"""Scan output text line by line for printed metrics and errors (tracebacks included).

The scanner is fed ``(line_no, base, text)``: for plain text and notebook renderings each
physical line has its own number and ``base`` 0; inside a JSONL record every line of a block
shares the record's number and ``base`` is the line's offset within the block. Findings carry
exact character ranges and their text is a contiguous piece of the source.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from researchos.distill.events import cap_text
from researchos.distill.metrics import MetricHit, TableReader, inline_metrics, json_metrics

TRACEBACK = "Traceback (most recent call last)"
_EXC_LINE = re.compile(
    r"^(?P<exc>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Fault|Failure))(?::\s?.*)?$"
)
_ERROR_LINE = re.compile(
    r"(?P<exc>\b[A-Z]\w*(?:Error|Exception))(?::\s|$)"
    r"|^\s*(?:error|ERROR|Error|fatal|FATAL|FAILED)\b[:\s!]"
    r"|\b(?:command not found|No such file or directory|Segmentation fault|[Oo]ut of memory"
    r"|Killed)\b"
)
_ERROR_HINT = re.compile(r"rror|xception|FAIL|fatal|FATAL|not found|No such|Segm|memory|Killed")
_DIGIT = re.compile(r"\d")
TRACEBACK_KEEP = 8


@dataclass(frozen=True)
class Finding:
    kind: str  # "metric" or "error"
    line_start: int
    char_start: int
    line_end: int
    char_end: int
    text: str
    name: str | None = None
    value: float | None = None
    unit: str | None = None
    truncated: bool = False


Emit = Callable[[Finding], None]


@dataclass
class _Traceback:
    line_no: int
    base: int
    lines: deque[tuple[int, int, str]]


class TextScanner:
    """Feeds lines, emits findings; ``close`` flushes a traceback still open."""

    def __init__(
        self,
        emit: Emit,
        *,
        chars: int,
        accepts: Callable[[str], bool] | None = None,
        skip: Callable[[str, int], None] | None = None,
    ) -> None:
        self.emit = emit
        self.chars = chars
        self.accepts = accepts  # past the event limit, metrics are only counted (``skip``)
        self.skip = skip
        self.tables = TableReader()
        self.traceback: _Traceback | None = None

    def line(self, line_no: int, base: int, text: str) -> None:
        if self.traceback is not None and self._continue_traceback(line_no, base, text):
            return
        if text.lstrip().startswith(TRACEBACK):
            start = text.index("Traceback")
            self.traceback = _Traceback(line_no, base + start, deque(maxlen=TRACEBACK_KEEP))
            self.traceback.lines.append((line_no, base + start, text[start:]))
            return
        table = self.tables.feed(text)
        if table is not None:  # a header, a separator or a row of a table
            self._emit_metrics(line_no, base, text, table)
            return
        if _DIGIT.search(text):
            hits = json_metrics(text)
            hits = inline_metrics(text) if hits is None else hits
            if hits:
                self._emit_metrics(line_no, base, text, hits)
                return
        if _ERROR_HINT.search(text):
            self._error_line(line_no, base, text)

    def close(self) -> None:
        if self.traceback is not None:
            self._flush_traceback(None)

    # --- tracebacks ------------------------------------------------------------------------

    def _continue_traceback(self, line_no: int, base: int, text: str) -> bool:
        tb = self.traceback
        assert tb is not None
        if not text.strip() or text[:1].isspace() or text.startswith("During handling"):
            tb.lines.append((line_no, base, text))
            return True
        if text.startswith(("The above exception", TRACEBACK)):
            tb.lines.append((line_no, base, text))
            return True
        match = _EXC_LINE.match(text)
        if match:
            tb.lines.append((line_no, base, text))
            self._flush_traceback(match["exc"])
            return True
        self._flush_traceback(None)
        return False

    def _flush_traceback(self, exc: str | None) -> None:
        tb = self.traceback
        assert tb is not None
        self.traceback = None
        lines = list(tb.lines)
        last_no, last_base, last_text = lines[-1]
        first_no, first_base, _ = lines[0]
        body = "\n".join(text for _, _, text in lines)
        text, truncated = cap_text(body, self.chars, tail=True)
        name = exc or "Traceback"
        self.emit(
            Finding(
                "error",
                tb.line_no,
                tb.base,
                last_no,
                last_base + len(last_text),
                text,
                name=name,
                truncated=truncated or (first_no, first_base) != (tb.line_no, tb.base),
            )
        )

    # --- single lines ----------------------------------------------------------------------

    def _emit_metrics(self, line_no: int, base: int, text: str, hits: list[MetricHit]) -> None:
        if hits and self.accepts is not None and not self.accepts("metric"):
            if self.skip is not None:
                self.skip("metric", len(hits))
            return
        quoted, truncated = cap_text(text, self.chars)
        for hit in hits:
            self.emit(
                Finding(
                    "metric",
                    line_no,
                    base + hit.start,
                    line_no,
                    base + hit.end,
                    quoted,
                    name=hit.name,
                    value=hit.value,
                    unit=hit.unit,
                    truncated=truncated,
                )
            )

    def _error_line(self, line_no: int, base: int, text: str) -> None:
        match = _ERROR_LINE.search(text)
        if match is None:
            return
        quoted, truncated = cap_text(text, self.chars)
        name = match["exc"] or match.group(0).strip(" :!").split()[0]
        self.emit(
            Finding(
                "error",
                line_no,
                base,
                line_no,
                base + len(text),
                quoted,
                name=name,
                truncated=truncated,
            )
        )
