"""Reading an untrusted transcript: size limits, bounded lines, secrets redacted.

Lines are read one at a time with a length cap, so a 50 MB transcript (or one 50 MB line)
never sits in memory whole. Every text that leaves this module has passed ``logs.redact``;
JSON records are redacted value by value (and by key: the value of an ``api_key`` or
``token`` field goes entirely), so a redacted record still parses.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from researchos.errors import InputError
from researchos.logs import REDACTED, redact

MB = 1 << 20
Progress = Callable[[int], None]
_SECRET_KEY = re.compile(
    r"(?:api[_-]?key|secret|token|password|passwd|authorization|credential)s?$", re.I
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# token shapes logs.redact does not know, common in coding sessions (env dumps, configs)
_MORE_SHAPES = re.compile(
    r"gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_\-]{20,}"
    r"|hf_[A-Za-z0-9]{30,}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_\-]{35}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
)
_SECRET_WORDS = ("secret", "token", "passw", "apikey", "api_key", "access_key")
_SECRET_ASSIGNMENT = re.compile(
    r"\b(?P<name>[A-Za-z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY)"
    r"[A-Za-z0-9_]*)(?P<sep>\s*[=:]\s*['\"]?)(?P<value>(?=[^\s'\"]*[A-Za-z])[^\s'\"]{6,})",
    re.I,
)


@dataclass(frozen=True)
class Limits:
    """Bounds on what one distillation reads, keeps and sends to a model."""

    max_bytes: int = 512 * MB
    max_line_bytes: int = 16 * MB
    notebook_max_bytes: int = 64 * MB
    evidence_full_bytes: int = 8 * MB
    event_chars: int = 600
    max_events: int = 20_000
    output_chars: int = 20_000
    chunk_tokens: int = 12_000
    max_chunks: int = 8


@dataclass
class ReadStats:
    """What reading noticed: reported to the user, never fatal."""

    lines: int = 0
    bytes_read: int = 0
    truncated_line: int | None = None
    oversize_lines: list[int] = field(default_factory=list)
    invalid_utf8_lines: int = 0
    images_dropped: int = 0
    outputs_truncated: int = 0
    ignored_records: int = 0

    def warnings(self) -> list[str]:
        notes = []
        if self.truncated_line is not None:
            notes.append(f"final line {self.truncated_line} is truncated; it was ignored")
        if self.oversize_lines:
            shown = ", ".join(str(n) for n in self.oversize_lines[:5])
            notes.append(f"{len(self.oversize_lines)} line(s) over the line limit skipped: {shown}")
        if self.invalid_utf8_lines:
            notes.append(f"{self.invalid_utf8_lines} line(s) held invalid UTF-8 (replaced)")
        if self.images_dropped:
            notes.append(f"{self.images_dropped} image(s) dropped")
        if self.outputs_truncated:
            notes.append(f"{self.outputs_truncated} output(s) truncated")
        return notes


@dataclass(frozen=True)
class RawLine:
    number: int
    text: str  # decoded, not yet redacted, without the line break
    final: bool
    complete: bool  # ended with a line break
    oversize: bool = False


def check_size(path: Path, limit: int, display: str, setting: str) -> int:
    if not path.is_file():
        raise InputError("is not a readable file", file=display, fix="give a transcript file")
    size = path.stat().st_size
    if size == 0:
        raise InputError("is empty", file=display, fix="give a transcript with content")
    if size > limit:
        raise InputError(
            f"is {size / MB:.1f} MB, over the limit of {limit / MB:.0f} MB",
            file=display,
            fix=f"raise RESEARCHOS_{setting} or split the transcript",
        )
    with path.open("rb") as handle:
        if b"\x00" in handle.read(8192):
            raise InputError(
                "looks binary (NUL bytes), not a transcript", file=display, fix="check the file"
            )
    return size


class LineReader:
    """Numbered lines of a file with bounded length; knows the final line and the sha256."""

    def __init__(self, path: Path, limits: Limits, stats: ReadStats, progress: Progress | None):
        self.path = path
        self.limits = limits
        self.stats = stats
        self.progress = progress
        self.digest = hashlib.sha256()

    def __iter__(self) -> Iterator[RawLine]:
        pending: RawLine | None = None
        with self.path.open("rb") as handle:
            number = 0
            while True:
                raw, oversize = self._read_line(handle)
                if not raw and not oversize:
                    break
                number += 1
                if pending is not None:
                    yield pending
                pending = self._decode(number, raw, oversize)
        if pending is not None:
            yield RawLine(pending.number, pending.text, True, pending.complete, pending.oversize)

    def _read_line(self, handle: Any) -> tuple[bytes, bool]:
        limit = self.limits.max_line_bytes
        raw = handle.readline(limit + 1)
        self._consumed(raw)
        if len(raw) <= limit or raw.endswith(b"\n"):
            return raw, False
        while chunk := handle.readline(1 << 20):  # skip the rest without keeping it
            self._consumed(chunk)
            if chunk.endswith(b"\n"):
                break
        return b"", True

    def _consumed(self, data: bytes) -> None:
        self.digest.update(data)
        self.stats.bytes_read += len(data)
        if self.progress is not None and data:
            self.progress(len(data))

    def _decode(self, number: int, raw: bytes, oversize: bool) -> RawLine:
        self.stats.lines = number
        if oversize:
            self.stats.oversize_lines.append(number)
            return RawLine(number, "", False, True, oversize=True)
        complete = raw.endswith(b"\n")
        raw = raw.rstrip(b"\r\n")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.stats.invalid_utf8_lines += 1
            text = raw.decode("utf-8", errors="replace")
        return RawLine(number, text, False, complete)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


def scrub(text: str) -> str:
    """``logs.redact`` plus token shapes and ``NAME_TOKEN=value`` assignments (name kept)."""
    if not text:
        return text
    text = _MORE_SHAPES.sub(REDACTED, redact(text))
    lowered = text.lower()
    if not any(word in lowered for word in _SECRET_WORDS):  # the regex is slow; most text passes
        return text
    return _SECRET_ASSIGNMENT.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text) if "\x1b" in text else text


def redact_json(value: Any) -> Any:
    """A copy of a parsed JSON value with every string redacted and secret-named values gone.

    Fast path: when neither any key names a secret nor ``scrub`` changes the record's strings
    joined together, no single string would change either, and the value is returned as is.
    """
    strings: list[str] = []
    if not _collect(value, strings) and scrub(_JOIN.join(strings)) == _JOIN.join(strings):
        return value
    return _redacted(value)


_JOIN = "\n"


def _collect(value: Any, strings: list[str]) -> bool:
    """Gather the strings of ``value``; True when a key names a secret."""
    if isinstance(value, str):
        strings.append(value)
    elif isinstance(value, list):
        return any([_collect(item, strings) for item in value])
    elif isinstance(value, dict):
        flagged = False
        for key, item in value.items():
            if isinstance(item, str) and item and _secret_key(str(key)):
                flagged = True
            flagged = _collect(item, strings) or flagged
        return flagged
    return False


@lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {
            key: (
                REDACTED
                if isinstance(item, str) and item and _secret_key(str(key))
                else _redacted(item)
            )
            for key, item in value.items()
        }
    return value
