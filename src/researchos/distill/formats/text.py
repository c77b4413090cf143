"""Plain text (terminal logs, pasted chats): every line is one record and its own block."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from researchos.distill.formats import Block, Record
from researchos.distill.source import (
    Limits,
    LineReader,
    Progress,
    ReadStats,
    scrub,
    strip_ansi,
)
from researchos.logs import REDACTED


class TextReader:
    def __init__(self, path: Path, limits: Limits, display: str, progress: Progress | None):
        self.stats = ReadStats()
        self._lines = LineReader(path, limits, self.stats, progress)

    @property
    def sha256(self) -> str:
        return self._lines.sha256

    def records(self) -> Iterator[Record]:
        in_key = False  # lines of a pasted private key block are dropped whole
        for raw in self._lines:
            text = scrub(strip_ansi(raw.text))
            if "PRIVATE KEY-----" in raw.text and "-----BEGIN" in raw.text:
                in_key = "-----END" not in raw.text
            elif in_key:
                in_key = "-----END" not in raw.text
                text = REDACTED
            block = Block("line", text, raw.number, per_line=True)
            yield Record(raw.number, raw.number, (text,), (block,))
