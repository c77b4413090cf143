"""What the pipeline asks models for: the structured answers of each phase.

Every schema is strict (unknown fields refused). The mock provider answers them through the
responders in ``pipeline.mock_answers``; real models get the JSON Schema and their answer is
validated (with one repair turn) by the router.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from researchos.kits.models import IdeaSeed


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdeaBatch(Answer):
    """idea_generation: candidate ideas, each runnable by one of the offered kits."""

    ideas: list[IdeaSeed] = Field(min_length=1)


class IdeaScore(Answer):
    idea_id: str
    novelty: float = Field(ge=0, le=1)
    feasibility: float = Field(ge=0, le=1)
    rigour: float = Field(ge=0, le=1)
    impact: float = Field(ge=0, le=1)
    expected_value: float = Field(ge=0, le=1, description="S3: value of running it now")
    reject: bool = False
    reason: str = Field(default="", description="why, in one sentence")


class Screening(Answer):
    """funnel_screening: a scorecard per idea."""

    scores: list[IdeaScore]


class FileText(Answer):
    path: str = Field(description="relative to code/src/")
    content: str


class CodeBundle(Answer):
    """code_generation: the experiment's files."""

    files: list[FileText] = Field(min_length=1)
    notes: str = ""


class ReviewNoteAnswer(Answer):
    severity: str = Field(pattern=r"^P[0-3]$")
    file: str | None = None
    message: str


class CodeReviewAnswer(Answer):
    """code_review: replacement/added files (tests) and notes."""

    files: list[FileText] = Field(default_factory=list)
    notes: list[ReviewNoteAnswer] = Field(default_factory=list)


class Draft(Answer):
    """drafting: views/paper.md, citing claims as [claim:<id>]."""

    markdown: str = Field(min_length=1)


class Finding(Answer):
    severity: str = Field(pattern=r"^P[0-3]$")
    message: str
    location: str | None = None


class ReviewAnswer(Answer):
    """review: issues the reviewer model raises about a draft."""

    findings: list[Finding] = Field(default_factory=list)
    summary: str = ""
