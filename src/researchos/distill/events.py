"""What the parser extracts from a transcript: events with exact spans.

A ``Span`` names lines of the transcript's evidence text (the file itself for JSONL and plain
text, the rendering for notebooks) and character offsets: within the line for plain text and
notebooks, within the decoded content block (``block``) for JSONL records. Event text is capped
(``Limits.event_chars``) and is always a contiguous piece of the source text, so it can be
quoted as is. ``EventLog`` keeps memory bounded: past ``max_events`` it keeps only
high-signal events, past twice that none, and counts what it dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

EventKind = Literal["command", "tool_call", "output", "error", "edit", "metric", "message"]
EVENT_KINDS: tuple[str, ...] = (
    "command",
    "tool_call",
    "output",
    "error",
    "edit",
    "metric",
    "message",
)
Signal = Literal["decision", "pivot"]

# lower keeps longer: errors, metrics and decisions are what distillation is made of
PRIORITY = {"error": 0, "metric": 0, "edit": 1, "command": 1, "tool_call": 2}
LOW_PRIORITY = 3


@dataclass(frozen=True, slots=True)
class Span:
    line_start: int
    line_end: int
    char_start: int = 0
    char_end: int = 0
    block: str | None = None

    @property
    def locator(self) -> str:
        return f"L{self.line_start}-L{self.line_end}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "line_start": self.line_start,
            "line_end": self.line_end,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "block": self.block,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened in the session, with where it is written."""

    id: str
    kind: EventKind
    span: Span
    text: str
    role: str | None = None
    tool: str | None = None
    name: str | None = None
    value: float | None = None
    unit: str | None = None
    signal: Signal | None = None
    at: str | None = None
    truncated: bool = False

    @property
    def priority(self) -> int:
        if self.signal is not None:
            return 0
        return PRIORITY.get(self.kind, LOW_PRIORITY)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "kind": self.kind, **self.span.to_dict()}
        data["text"] = self.text
        for key in ("role", "tool", "name", "value", "unit", "signal", "at"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        if self.truncated:
            data["truncated"] = True
        return data


def cap_text(text: str, limit: int, *, tail: bool = False) -> tuple[str, bool]:
    """At most ``limit`` characters, head (or tail) kept; the result is a substring."""
    if len(text) <= limit:
        return text, False
    return (text[-limit:] if tail else text[:limit]), True


@dataclass
class EventLog:
    """The events of one transcript, numbered in order, with a bounded size."""

    max_events: int
    events: list[Event] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)
    _next: int = 1

    def accepts(self, kind: str, signal: str | None = None) -> bool:
        """Whether an event of this kind would be kept (counted as dropped when not)."""
        size = len(self.events)
        if size < self.max_events:
            return True
        low = signal is None and PRIORITY.get(kind, LOW_PRIORITY) >= LOW_PRIORITY
        return not low and size < 2 * self.max_events

    def add(self, kind: EventKind, span: Span, text: str, **fields: Any) -> Event | None:
        self.seen[kind] += 1
        number = self._next
        self._next += 1
        if not self.accepts(kind, fields.get("signal")):
            self.dropped[kind] += 1
            return None
        event = Event(f"E{number}", kind, span, text, **fields)
        self.events.append(event)
        return event

    def skip(self, kind: str, count: int = 1) -> None:
        """Count events that were never built because ``accepts`` said no."""
        self.seen[kind] += count
        self.dropped[kind] += count
        self._next += count

    def counts(self) -> dict[str, int]:
        return {kind: self.seen[kind] for kind in EVENT_KINDS if self.seen[kind]}
