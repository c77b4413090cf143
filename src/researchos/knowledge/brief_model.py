"""``agent_work_context.v1``: the work brief a coding agent receives before it edits code.

The JSON Schema generated from ``AgentWorkContext`` is published in docs/work-brief-schema.md
(``researchos docs build``); ``researchos brief --json`` and the MCP tools return this shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT = "agent_work_context.v1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageBrief(_Model):
    """A page as the brief shows it: enough to decide whether to load it in full."""

    id: str
    kind: str
    title: str
    review: str
    summary: str = Field(description="The first ~400 characters of the body.")
    sources: list[str] = Field(default_factory=list, description="Source refs (paths, URLs).")
    depends_on: list[str] = Field(default_factory=list)
    score: float = Field(description="Rank within its section (higher first).")
    reason: str = Field(description="Why it is in the brief: search hit, dependsOn of X, ...")


class RiskBrief(PageBrief):
    """A known failure: ranked by relevance × recency × discount."""

    recency: float = Field(description="1 / (1 + age in years).")
    discount: float = Field(description="1.0 before discount_after, lower after it.")
    discount_after: str | None = None


class DependencyBrief(_Model):
    """Knowledge about a package the project uses, matched against its local version."""

    package: str
    ecosystem: str
    local_version: str | None
    declared: str | None
    file: str = Field(description="Manifest or lockfile the local version comes from.")
    spec: str = Field(description="Version range the page is about.")
    applies: bool | None = Field(description="True: the local version is in range; None: unknown.")
    page: PageBrief


class EvidenceBoundaries(_Model):
    """Which pages in this brief are verified and which are reports to check first."""

    verified: list[str] = Field(default_factory=list)
    reviewed: list[str] = Field(default_factory=list)
    draft: list[str] = Field(default_factory=list)
    evidence_only: list[str] = Field(default_factory=list)
    rule: str = (
        "verified pages were checked against evidence; reviewed pages by a person; draft "
        "pages are unreviewed; evidence-only pages are outside reports (issues): verify them "
        "locally before acting on them."
    )


class VerifyItem(_Model):
    what: str
    page_id: str | None = None
    check: str


class PresentationContract(_Model):
    """What the agent must load, verify and record before it may finish."""

    must_load: list[str] = Field(description="Page ids to read before editing.")
    must_verify: list[VerifyItem] = Field(default_factory=list)
    must_record: dict[str, list[str]] = Field(
        description="Event names by phase: before_edit, during, after."
    )
    required_for_completion: list[str]
    rules: list[str]


class DroppedItem(_Model):
    section: str
    id: str
    tokens: int


class BudgetReport(_Model):
    token_budget: int
    estimated_tokens: int
    estimator: str = "ceil(characters / 4) of the JSON"
    dropped: list[DroppedItem] = Field(default_factory=list)


class RetrievalInfo(_Model):
    mode: str = Field(description="hybrid, or bm25 when no embedder is available.")
    notice: str | None = None
    candidates: int = 0


class RepoInfo(_Model):
    path: str | None = None
    files: list[str] = Field(default_factory=list)
    packages: int = 0
    problems: list[str] = Field(default_factory=list)


class AgentWorkContext(_Model):
    """A work brief: everything an agent should know and do around one task."""

    format: Literal["agent_work_context.v1"] = "agent_work_context.v1"
    task: str
    generated_at: datetime
    agent: dict[str, str] = Field(
        default_factory=dict, description="Who asked: agent, model, toolchain (as given)."
    )
    repo: RepoInfo = Field(default_factory=RepoInfo)
    retrieval: RetrievalInfo
    must_load: list[PageBrief] = Field(default_factory=list)
    known_risks: list[RiskBrief] = Field(default_factory=list)
    dependency_knowledge: list[DependencyBrief] = Field(default_factory=list)
    approved_interventions: list[PageBrief] = Field(default_factory=list)
    decision_rules: list[PageBrief] = Field(default_factory=list)
    evidence_boundaries: EvidenceBoundaries = Field(default_factory=EvidenceBoundaries)
    presentation_contract: PresentationContract
    budget: BudgetReport


def brief_json_schema() -> dict[str, Any]:
    schema = AgentWorkContext.model_json_schema()
    schema["title"] = FORMAT
    return schema
