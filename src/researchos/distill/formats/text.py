"""Plain text (terminal logs, pasted chats): every line is one record and its own block."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from researchos.distill.formats import Block, Record
from researchos.distill.source import Limits, LineReader, Progress, ReadStats, strip_ansi
from researchos.logs import redact


class TextReader:
    def __init__(self, path: Path, limits: Limits, display: str, progress: Progress | None):
        self.stats = ReadStats()
        self._lines = LineReader(path, limits, self.stats, progress)

    @property
    def sha256(self) -> str:
        return self._lines.sha256

    def records(self) -> Iterator[Record]:
        for raw in self._lines:
            text = redact(strip_ansi(raw.text))
            block = Block("line", text, raw.number, per_line=True)
            yield Record(raw.number, raw.number, (text,), (block,))
