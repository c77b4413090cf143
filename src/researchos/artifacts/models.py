"""ARA format v1: the pydantic models behind every file of an ARA (DESIGN §5).

The JSON Schema published in docs/ara-format.md and by ``researchos ara schema`` is generated
from these classes, so they are the single definition of the format. Every file model carries
``format_version: 1`` and forbids unknown fields.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

FORMAT_VERSION = 1

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
ItemId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Scalar = str | int | float | bool

ClaimStatus = Literal[
    "hypothesis",
    "untested",
    "testing",
    "supported",
    "weakened",
    "refuted",
    "withdrawn",
    "verified",
    "retracted",
]
ClaimKind = Literal["effect", "comparison", "null_result", "observation", "method"]
ClaimProvenance = Literal["user", "ai-suggested", "ai-executed", "user-revised"]
AraStatus = Literal["draft", "sealed", "retracted"]
RunMode = Literal["mock", "smoke", "production"]
FailureClass = Literal["infra", "bug", "negative_result", "abandoned"]
NodeKind = Literal["question", "experiment", "dead_end", "decision", "pivot"]
ModelTier = Literal["fast", "balanced", "strong"]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Strict(BaseModel):
    """Base for every ARA model: unknown fields are errors, values are re-validated on set."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Versioned(Strict):
    format_version: Literal[1] = Field(default=1, description="ARA format version of this file.")


# --- evidence and numbers ------------------------------------------------------------------


class EvidenceRef(Strict):
    """A pointer into a file of the ARA, pinned by its sha256."""

    path: str = Field(description="Path relative to the ARA root, e.g. evidence/raw/run-1.jsonl.")
    sha256: Sha256 = Field(description="sha256 of the file when the reference was made.")
    locator: str | None = Field(
        default=None,
        description="Where inside the file: a JSON pointer (/0/value), a line span (L10-L20) "
        "or a page and box (page=3;bbox=72,90,540,120).",
    )
    kind: str | None = Field(
        default=None,
        description="run_output, transcript_span, pdf_passage, figure, table, log or other.",
    )
    run_id: str | None = Field(default=None, description="Run that produced the file, if any.")
    note: str | None = Field(default=None, description="Free-text description.")

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        if value.startswith(("/", "~")) or ".." in value.replace("\\", "/").split("/"):
            raise ValueError("must be a path relative to the ARA root without '..'")
        return value.replace("\\", "/")


class NumberValue(Strict):
    """A reported number with its uncertainty and where it comes from."""

    value: float
    unit: str | None = None
    metric: str | None = Field(default=None, description="What was measured (accuracy, ...).")
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = Field(default=None, ge=0, description="Sample size behind the value.")
    source: str | None = Field(
        default=None, description="Evidence path and locator the number comes from."
    )

    @model_validator(mode="after")
    def _ci_order(self) -> NumberValue:
        if self.ci_low is not None and self.ci_high is not None and self.ci_low > self.ci_high:
            raise ValueError("ci_low must not exceed ci_high")
        return self


# --- claims --------------------------------------------------------------------------------


class Claim(Versioned):
    """One falsifiable statement, with the evidence, numbers and code behind it."""

    id: ItemId
    statement: str = Field(min_length=1, description="The claim in one or two sentences.")
    kind: ClaimKind = "observation"
    status: ClaimStatus = "hypothesis"
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    conditions: dict[str, Scalar] = Field(
        default_factory=dict,
        description="Settings under which the statement holds (dataset, metric, model, ...).",
    )
    sources: list[str] = Field(
        default_factory=list, description="Where the claim comes from (papers, sessions, runs)."
    )
    provenance: ClaimProvenance = "user"
    falsification: str | None = Field(
        default=None, description="The observation that would refute the claim."
    )
    dependencies: list[ItemId] = Field(
        default_factory=list, description="Claims this claim builds on."
    )
    tags: list[str] = Field(default_factory=list)
    evidence: list[EvidenceRef] = Field(default_factory=list)
    numbers: list[NumberValue] = Field(default_factory=list)
    traces: list[ItemId] = Field(default_factory=list, description="Related trace ids.")
    code: list[str] = Field(
        default_factory=list, description="Code paths (relative to the ARA) behind the claim."
    )
    flags: list[str] = Field(
        default_factory=list, description="Markers such as needs_human_review or MOCK."
    )
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)

    @field_validator("code")
    @classmethod
    def _code_relative(cls, value: list[str]) -> list[str]:
        for item in value:
            if item.startswith(("/", "~")) or ".." in item.split("/"):
                raise ValueError(f"{item!r} must be relative to the ARA root without '..'")
        return value


# --- traces ---------------------------------------------------------------------------------


class Attribution(Strict):
    actor: str = Field(description="Who did it: user:<name>, agent:<role> or a model.")
    model_tier: ModelTier | None = None
    date: datetime = Field(default_factory=utcnow)


class Cost(Strict):
    time_s: float = Field(default=0.0, ge=0.0)
    tokens: int = Field(default=0, ge=0)


class FailureTrace(Versioned):
    """A dead end: what was tried, why it failed, what it cost. Never deleted, only discounted."""

    id: ItemId
    kind: Literal["failure"] = "failure"
    title: str = Field(min_length=1)
    tried: str = Field(description="What was tried.")
    why_failed: str = Field(description="Why it failed.")
    failure_class: FailureClass
    hypothesis: str | None = None
    lesson: str | None = None
    cost: Cost = Field(default_factory=Cost)
    attribution: Attribution
    discount_after: date = Field(description="After this date the trace weighs less in ranking.")
    tags: list[str] = Field(default_factory=list)
    claims: list[ItemId] = Field(default_factory=list)
    evidence: list[EvidenceRef] = Field(default_factory=list)
    node: ItemId | None = Field(default=None, description="Exploration-tree node of this trace.")


class DecisionTrace(Versioned):
    """A judgement call with its rationale and the alternatives that were not taken."""

    id: ItemId
    kind: Literal["decision"] = "decision"
    title: str = Field(min_length=1)
    decision: str
    rationale: str
    alternatives: list[str] = Field(default_factory=list)
    attribution: Attribution
    tags: list[str] = Field(default_factory=list)
    claims: list[ItemId] = Field(default_factory=list)
    node: ItemId | None = None


class CheckpointTrace(Versioned):
    """An intermediate result that is not in the paper but worth keeping."""

    id: ItemId
    kind: Literal["checkpoint"] = "checkpoint"
    title: str = Field(min_length=1)
    description: str = ""
    numbers: list[NumberValue] = Field(default_factory=list)
    evidence: list[EvidenceRef] = Field(default_factory=list)
    attribution: Attribution
    tags: list[str] = Field(default_factory=list)
    claims: list[ItemId] = Field(default_factory=list)
    node: ItemId | None = None


Trace = FailureTrace | DecisionTrace | CheckpointTrace
TRACE_TYPES: dict[str, type[FailureTrace] | type[DecisionTrace] | type[CheckpointTrace]] = {
    "failure": FailureTrace,
    "decision": DecisionTrace,
    "checkpoint": CheckpointTrace,
}
TRACE_DIRS = {"failure": "failures", "decision": "decisions", "checkpoint": "checkpoints"}
TRACE_ID_PREFIX = {"failure": "F", "decision": "D", "checkpoint": "K"}


class ExplorationNode(Strict):
    """One node of the exploration tree; a dead end records hypothesis, failure mode, lesson."""

    id: ItemId
    kind: NodeKind
    title: str = Field(min_length=1)
    parent: ItemId | None = None
    trace: ItemId | None = Field(default=None, description="Trace file behind this node.")
    hypothesis: str | None = None
    failure_mode: str | None = None
    lesson: str | None = None
    created: datetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _dead_end_complete(self) -> ExplorationNode:
        if self.kind == "dead_end":
            missing = [
                name for name in ("hypothesis", "failure_mode", "lesson") if not getattr(self, name)
            ]
            if missing:
                raise ValueError(f"a dead_end node needs {', '.join(missing)}")
        return self


class ExplorationTree(Versioned):
    nodes: list[ExplorationNode] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tree_shape(self) -> ExplorationTree:
        ids = [node.id for node in self.nodes]
        duplicates = sorted(item for item, n in Counter(ids).items() if n > 1)
        if duplicates:
            raise ValueError(f"duplicate node ids: {', '.join(duplicates)}")
        known = set(ids)
        for node in self.nodes:
            if node.parent is not None and node.parent not in known:
                raise ValueError(f"node {node.id} has unknown parent {node.parent}")
        parents = {node.id: node.parent for node in self.nodes}
        for start in ids:
            seen: set[str] = set()
            current: str | None = start
            while current is not None:
                if current in seen:
                    raise ValueError(f"node {start} is part of a parent cycle")
                seen.add(current)
                current = parents[current]
        return self


# --- the ARA manifest ------------------------------------------------------------------------


class SealLevel(Strict):
    passed: bool
    at: datetime = Field(default_factory=utcnow)
    summary: str = ""
    findings: list[str] = Field(default_factory=list)


class SealState(Strict):
    l1: SealLevel | None = None
    l2: SealLevel | None = None
    l3: SealLevel | None = None


class AraProvenance(Strict):
    source: Literal["manual", "pipeline", "distill", "compile", "matrix"] = "manual"
    created_by: str = "user"
    project: str | None = None
    origin: str | None = Field(
        default=None, description="Transcript, paper or brief the ARA came from."
    )
    routing: list[dict[str, object]] = Field(
        default_factory=list,
        description="provider_routing records of model calls that shaped this ARA.",
    )


class AraManifest(Versioned):
    """``ara.yaml``: identity, status and the index of claims."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    slug: Slug
    authors: list[str] = Field(default_factory=list)
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)
    status: AraStatus = "draft"
    mode: RunMode = "production"
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    claims: list[ItemId] = Field(default_factory=list)
    seal: SealState = Field(default_factory=SealState)
    provenance: AraProvenance = Field(default_factory=AraProvenance)
    flags: list[str] = Field(default_factory=list)

    @field_validator("claims")
    @classmethod
    def _unique_claims(cls, value: list[str]) -> list[str]:
        duplicates = sorted(item for item, n in Counter(value).items() if n > 1)
        if duplicates:
            raise ValueError(f"duplicate claim ids: {', '.join(duplicates)}")
        return value


FILE_MODELS: dict[str, type[Versioned]] = {
    "ara": AraManifest,
    "claim": Claim,
    "failure": FailureTrace,
    "decision": DecisionTrace,
    "checkpoint": CheckpointTrace,
    "exploration": ExplorationTree,
}


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:63].rstrip("-") or "ara"
