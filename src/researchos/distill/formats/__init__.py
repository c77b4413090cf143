"""Transcript formats: each turns a file into ``Record``s of redacted ``Block``s.

A record covers lines ``line_start..line_end`` of the evidence text and carries those lines
(``evidence``, redacted) and the decoded content blocks. A JSONL record is one physical line;
its blocks are the texts inside it (message text, a tool call, a tool result). Plain text and
notebook renderings are line-for-line, so a block's text spans several lines (``per_line``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from researchos.distill.source import Limits, Progress, ReadStats

FORMATS = ("claude", "codex", "notebook", "text")


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # message, tool_use, output, code, line, title
    text: str
    line: int
    label: str | None = None
    role: str | None = None
    tool: str | None = None
    command: str | None = None
    edits: tuple[str, ...] = ()
    is_error: bool = False
    at: str | None = None
    per_line: bool = False

    def position(self, offset: int) -> tuple[int, int]:
        """(line, char) of a character offset into ``text``."""
        if not self.per_line:
            return self.line, offset
        line_start = self.text.rfind("\n", 0, offset) + 1
        return self.line + self.text.count("\n", 0, offset), offset - line_start


@dataclass(frozen=True, slots=True)
class Record:
    line_start: int
    line_end: int
    evidence: tuple[str, ...]
    blocks: tuple[Block, ...] = ()
    joined: bool = False  # JSONL: the span text of the line is its blocks' texts joined

    def span_texts(self) -> Iterator[tuple[int, str]]:
        """(line, text quotes are checked against) for every line of the record."""
        if self.joined:
            yield self.line_start, "\n".join(block.text for block in self.blocks)
            return
        for offset, text in enumerate(self.evidence):
            yield self.line_start + offset, text


class TranscriptReader(Protocol):
    stats: ReadStats

    def records(self, only: Callable[[int], bool] | None = None) -> Iterator[Record]: ...

    @property
    def sha256(self) -> str: ...


def open_reader(
    fmt: str, path: Path, limits: Limits, display: str, progress: Progress | None = None
) -> TranscriptReader:
    from researchos.distill.formats import claude, codex, notebook, text

    readers: dict[str, Callable[..., TranscriptReader]] = {
        "claude": claude.ClaudeReader,
        "codex": codex.CodexReader,
        "notebook": notebook.NotebookReader,
        "text": text.TextReader,
    }
    return readers[fmt](path, limits, display, progress)
