"""Shared reading of JSONL transcripts: one record per line, garbled lines named, a
truncated final line tolerated and reported."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from researchos.distill.formats import Block, Record
from researchos.distill.source import Limits, LineReader, Progress, RawLine, ReadStats, redact_json
from researchos.errors import InputError


class JsonlReader:
    fix = "repair or delete the line, or pass --format text to read the file as plain text"

    def __init__(self, path: Path, limits: Limits, display: str, progress: Progress | None):
        self.limits = limits
        self.display = display
        self.stats = ReadStats()
        self._lines = LineReader(path, limits, self.stats, progress)

    @property
    def sha256(self) -> str:
        return self._lines.sha256

    def records(self, only: Callable[[int], bool] | None = None) -> Iterator[Record]:
        """Every line's record; with ``only``, lines it refuses are hashed but not decoded."""
        for raw in self._lines:
            if only is not None and not only(raw.number):
                yield Record(raw.number, raw.number, ("",), joined=True)
            else:
                yield self._record(raw)

    def _record(self, raw: RawLine) -> Record:
        number = raw.number
        if raw.oversize or not raw.text.strip():
            return Record(number, number, ("",), joined=True)
        try:
            data = json.loads(raw.text)
        except ValueError as exc:
            if raw.final:
                self.stats.truncated_line = number
                return Record(number, number, ("",), joined=True)
            raise InputError(
                f"is not valid JSON ({_reason(exc)})",
                file=self.display,
                field=f"line {number}",
                fix=self.fix,
            ) from None
        if not isinstance(data, dict):
            raise InputError(
                "is not a JSON object", file=self.display, field=f"line {number}", fix=self.fix
            )
        clean = redact_json(data)
        same = clean is data or clean == data
        evidence = raw.text if same else json.dumps(clean, ensure_ascii=False)
        return Record(number, number, (evidence,), tuple(self.blocks(clean, number)), joined=True)

    def blocks(self, data: dict[str, Any], line: int) -> list[Block]:
        raise NotImplementedError


def _reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return str(exc)


def text_of(content: Any, stats: ReadStats) -> str:
    """Text of a tool result's content: a string or a list of text parts (images dropped)."""
    if isinstance(content, str):
        return content
    parts = []
    for part in content if isinstance(content, list) else []:
        if isinstance(part, dict) and part.get("type") == "image":
            stats.images_dropped += 1
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            parts.append(part["text"])
        elif isinstance(part, str):
            parts.append(part)
    return "\n".join(parts)
