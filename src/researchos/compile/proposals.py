"""Asking the model (phase ``compilation``) which passages of a paper state claims.

The model sees the body passages with their ids and answers ``ClaimProposals``: for each
claim the passage id, a verbatim quote, a statement, a kind, conditions and the numbers it
reports. It decides nothing on its own: ``grounding`` keeps only proposals whose quote is
really in the paper and whose numbers are really in the quote. Long papers go in several
calls (``CompileLimits.chunk_chars`` of passage text each); every call's routing record is
kept for the ARA's provenance.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from researchos.compile.document import Passage
from researchos.compile.text import normalize
from researchos.providers.types import ModelRequest

PHASE = "compilation"


class _Closed(BaseModel):
    # closed objects with every field required: the strict JSON-schema subset of the wire
    model_config = ConfigDict(extra="forbid")


class Condition(_Closed):
    key: str = Field(description="What the condition is about: dataset, model, metric, ...")
    value: str


class ProposedNumber(_Closed):
    value: float = Field(description="The number as written (93.2 for 93.2%).")
    text: str = Field(description="The number exactly as it appears in the quote.")
    unit: str | None = Field(description="%, ms, Hz, points, ... or null.")
    metric: str | None = Field(description="What the number measures, or null.")


class ProposedClaim(_Closed):
    passage: str = Field(description="Id of the passage the quote comes from, e.g. p3.s12.")
    quote: str = Field(description="The passage text that states the claim, copied verbatim.")
    statement: str = Field(description="The claim in one self-contained sentence.")
    kind: Literal["effect", "comparison", "null_result", "observation", "method"]
    conditions: list[Condition]
    numbers: list[ProposedNumber]


class ClaimProposals(_Closed):
    claims: list[ProposedClaim]


SYSTEM = (
    "You read a research paper and list the claims its authors make about their own results. "
    "Each claim must quote, verbatim, the passage that states it, name that passage's id, "
    "and list only numbers that appear in the quote. Leave out background, related work, "
    "method descriptions without results, and anything you would have to infer."
)


@dataclass(frozen=True)
class Chunk:
    index: int
    passages: tuple[Passage, ...]


def chunks(passages: Sequence[Passage], chunk_chars: int) -> Iterator[Chunk]:
    """Body passages in groups of at most ``chunk_chars`` characters of text."""
    group: list[Passage] = []
    size = 0
    index = 0
    for passage in passages:
        if not passage.body:
            continue
        if group and size + len(passage.text) > chunk_chars:
            yield Chunk(index, tuple(group))
            index, group, size = index + 1, [], 0
        group.append(passage)
        size += len(passage.text)
    if group:
        yield Chunk(index, tuple(group))


def request_for(chunk: Chunk, *, title: str, max_claims: int) -> ModelRequest:
    """The model request for one chunk; ``context`` carries the passages for the mock."""
    lines = [f"[{p.id}] ({p.section}) {normalize(p.text)}" for p in chunk.passages]
    prompt = (
        f"Paper: {title}\n"
        f"List at most {max_claims} claims from these passages "
        f"(part {chunk.index + 1}).\n\n" + "\n".join(lines)
    )
    context: dict[str, Any] = {
        "title": title,
        "max_claims": max_claims,
        "passages": [
            {"id": p.id, "section": p.section, "text": normalize(p.text)} for p in chunk.passages
        ],
    }
    return ModelRequest.of(prompt, system=SYSTEM, schema=ClaimProposals, context=context)
