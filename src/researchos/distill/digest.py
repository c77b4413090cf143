"""The compact event digest a model reads, packed into chunks that fit a token budget.

Events are one line each (``E12 L40-L41 error ValueError: ...``). When a session has more
than ``chunk_tokens * max_chunks`` worth of events, low-signal ones (plain outputs and
messages) are left out first; errors, metrics, decisions and pivots stay. The chunks keep
the session's order; each is one ``distillation`` call, and the answers are merged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from researchos.distill.events import Event
from researchos.distill.proposal import DistillProposal, merge
from researchos.providers.types import ModelRequest, ModelResponse

DIGEST_TEXT_CHARS = 300
PROMPT_TOKENS = 900  # the instructions around the digest

SYSTEM = """You distil a research coding session into an Agent-Native Research Artifact.
You get numbered events of the session transcript, one per line:
  <event id> L<first>-L<last> <kind>[/<role>] [<name>]: <text>
Propose, as JSON matching the schema:
- claims: results the session measured (a metric printed after a command). Every number in
  a claim's statement must appear in the text you quote.
- dead_ends: approaches that failed (an error, then a different approach), with the
  hypothesis, what was tried, the failure mode and the lesson.
- decisions: explicit choices with their rationale and the alternatives dropped.
- checkpoints: intermediate results worth keeping.
Every item needs quotes: line_start, line_end and text copied EXACTLY from the event text on
those lines (a contiguous piece of it). Items whose quotes cannot be found are discarded.
Never invent numbers, files or results. Leave a list empty rather than guess."""


@dataclass(frozen=True)
class Chunk:
    index: int
    events: list[Event]
    lines: list[str]


def digest_line(event: Event) -> str:
    kind = event.kind + (f"/{event.role}" if event.role and event.kind == "message" else "")
    if event.signal:
        kind += f" ({event.signal})"
    name = f" {event.name}" if event.name and event.kind != "metric" else ""
    text = " ".join(event.text.split())[:DIGEST_TEXT_CHARS]
    return f"{event.id} {event.span.locator} {kind}{name}: {text}"


def tokens(text: str) -> int:
    return len(text) // 4 + 1


def select(events: list[Event], budget: int) -> tuple[list[Event], list[str], int]:
    """Events (in session order) and their digest lines that fit ``budget`` tokens."""
    lines = {event.id: digest_line(event) for event in events}
    ranked = sorted(range(len(events)), key=lambda i: (events[i].priority, i))
    keep: set[int] = set()
    used = 0
    for index in ranked:
        cost = tokens(lines[events[index].id])
        if used + cost > budget:
            continue
        keep.add(index)
        used += cost
    chosen = [events[i] for i in sorted(keep)]
    return chosen, [lines[e.id] for e in chosen], len(events) - len(chosen)


def chunks(events: list[Event], *, chunk_tokens: int, max_chunks: int) -> tuple[list[Chunk], int]:
    room = max(chunk_tokens - PROMPT_TOKENS, 200)
    line_max = tokens("x" * (DIGEST_TEXT_CHARS + 80))
    # a chunk may end up to one line short of full, so keep that much slack per chunk
    chosen, lines, left_out = select(events, max(room - line_max, line_max) * max_chunks)
    packed: list[Chunk] = []
    current: list[int] = []
    used = 0
    for index, line in enumerate(lines):
        cost = tokens(line)
        if current and used + cost > room:
            packed.append(_chunk(len(packed), chosen, lines, current))
            current, used = [], 0
        current.append(index)
        used += cost
    if current or not packed:
        packed.append(_chunk(len(packed), chosen, lines, current))
    return packed, left_out


def _chunk(index: int, events: list[Event], lines: list[str], members: list[int]) -> Chunk:
    return Chunk(index, [events[i] for i in members], [lines[i] for i in members])


def request_for(chunk: Chunk, total: int, *, transcript: str, fmt: str) -> ModelRequest:
    head = f"Transcript {transcript} ({fmt}), part {chunk.index + 1} of {total}. Events:\n"
    return ModelRequest.of(
        head + "\n".join(chunk.lines),
        system=SYSTEM,
        schema=DistillProposal,
        context={
            "transcript": transcript,
            "format": fmt,
            "chunk": chunk.index,
            "chunks": total,
            "events": [event.to_dict() for event in chunk.events],
        },
    )


@dataclass(frozen=True)
class Proposals:
    proposal: DistillProposal
    routing: list[dict[str, object]]
    calls: int
    events_sent: int
    events_left_out: int
    tokens_in: int
    tokens_out: int


Call = Callable[[ModelRequest], ModelResponse]


def propose(
    call: Call,
    events: list[Event],
    *,
    transcript: str,
    fmt: str,
    chunk_tokens: int,
    max_chunks: int,
) -> Proposals:
    packed, left_out = chunks(events, chunk_tokens=chunk_tokens, max_chunks=max_chunks)
    answers, routing, tokens_in, tokens_out = [], [], 0, 0
    for chunk in packed:
        response = call(request_for(chunk, len(packed), transcript=transcript, fmt=fmt))
        if isinstance(response.data, DistillProposal):
            answers.append(response.data)
        routing.append(response.routing)
        tokens_in += response.usage.input_tokens
        tokens_out += response.usage.output_tokens
    return Proposals(
        merge(answers),
        routing,
        len(packed),
        sum(len(c.events) for c in packed),
        left_out,
        tokens_in,
        tokens_out,
    )
