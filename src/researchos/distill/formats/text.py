"""Plain text (terminal logs, pasted chats): every line is one record and its own block."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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

    def records(self, only: Callable[[int], bool] | None = None) -> Iterator[Record]:
        """One record per line; with ``only``, refused lines are hashed but not kept."""
        in_key = False  # lines inside a pasted private key block are dropped whole
        for raw in self._lines:
            inside = in_key
            if in_key or ("PRIVATE KEY-----" in raw.text and "-----BEGIN" in raw.text):
                in_key = "-----END" not in raw.text
            if only is not None and not only(raw.number):
                yield Record(raw.number, raw.number, ("",))
                continue
            text = REDACTED if inside else scrub(strip_ansi(raw.text))
            block = Block("line", text, raw.number, per_line=True)
            yield Record(raw.number, raw.number, (text,), (block,))
