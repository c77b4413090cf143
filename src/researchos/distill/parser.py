"""The deterministic parser: a transcript file in, its events and reading notes out.

``parse_transcript`` streams the file once and keeps only events (bounded by ``Limits``).
``read_spans`` streams it a second time to fetch the text of the lines that proposals quote
and the redacted evidence copy; it checks that the file did not change in between.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from researchos.distill.detect import detect_format
from researchos.distill.events import Event, EventLog
from researchos.distill.extract import Extractor
from researchos.distill.formats import open_reader
from researchos.distill.source import Limits, Progress, ReadStats, check_size
from researchos.errors import Conflict


@dataclass(frozen=True)
class ParsedSession:
    """Everything later stages need from pass one; no transcript text beyond event text."""

    path: Path
    display: str
    format: str
    size: int
    sha256: str
    lines: int
    events: list[Event]
    stats: ReadStats
    dropped: dict[str, int]
    counts: dict[str, int]
    title: str | None
    first_prompt: str | None

    @property
    def name(self) -> str:
        return self.path.name

    def warnings(self) -> list[str]:
        notes = self.stats.warnings()
        if self.dropped:
            total = sum(self.dropped.values())
            notes.append(f"{total} low-signal event(s) not kept (event limit reached)")
        return notes


def parse_transcript(
    path: Path,
    *,
    limits: Limits,
    fmt: str | None = None,
    display: str | None = None,
    progress: Progress | None = None,
) -> ParsedSession:
    display = display or str(path)
    size = check_size(path, limits.max_bytes, display, "DISTILL_MAX_MB")
    fmt = detect_format(path, display, fmt)
    reader = open_reader(fmt, path, limits, display, progress)
    log = EventLog(limits.max_events)
    extractor = Extractor(log, limits.event_chars)
    for record in reader.records():
        extractor.feed(record)
    extractor.close()
    return ParsedSession(
        path=path,
        display=display,
        format=fmt,
        size=size,
        sha256=reader.sha256,
        lines=reader.stats.lines,
        events=log.events,
        stats=reader.stats,
        dropped=dict(log.dropped),
        counts=log.counts(),
        title=extractor.title,
        first_prompt=extractor.first_prompt,
    )


@dataclass
class SpanSource:
    """Pass two: quoted lines' texts, their evidence lines and (if small) the whole copy."""

    texts: dict[int, str] = field(default_factory=dict)
    evidence: dict[int, str] = field(default_factory=dict)
    full: bytes | None = None

    def span_text(self, start: int, end: int) -> str:
        return "\n".join(self.texts.get(n, "") for n in range(start, end + 1))

    def excerpt(self, lines: Iterable[int], total: int) -> bytes:
        """The evidence with every line not in ``lines`` blanked; line numbers stay valid."""
        keep = set(lines)
        return "".join(
            (self.evidence.get(n, "") if n in keep else "") + "\n" for n in range(1, total + 1)
        ).encode("utf-8")


def read_spans(session: ParsedSession, wanted: set[int], *, limits: Limits) -> SpanSource:
    reader = open_reader(session.format, session.path, limits, session.display)
    source = SpanSource()
    buffer: list[str] | None = [] if session.size <= limits.evidence_full_bytes else None
    only = None if buffer is not None else wanted.__contains__
    for record in reader.records(only):
        for number, text in record.span_texts():
            if number in wanted:
                source.texts[number] = text
        for offset, line in enumerate(record.evidence):
            if record.line_start + offset in wanted:
                source.evidence[record.line_start + offset] = line
            if buffer is not None:
                buffer.append(line)
    if reader.stats.bytes_read != session.stats.bytes_read or reader.sha256 != session.sha256:
        raise Conflict(
            f"{session.display} changed while it was being distilled",
            fix="wait until the session is finished (or use --watch, which waits), then retry",
        )
    if buffer is not None:
        source.full = "".join(line + "\n" for line in buffer).encode("utf-8")
    return source
