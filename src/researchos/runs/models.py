"""Run specs (what to run) and run records (what happened), format version 1.

Both are pydantic models because both cross edges: specs come from files, the CLI and other
services; records are written to ``var/runs/<id>/record.json``, the store and the API.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RunStatus = Literal["queued", "running", "cancelling", "finished"]
ResultClass = Literal["succeeded", "failed", "limit_exceeded", "cancelled", "sandbox_error"]
RECORD_FORMAT = 1


class RunSpec(BaseModel):
    """One experiment run: a command, optionally a code tree, seed, condition and limits."""

    model_config = ConfigDict(extra="forbid")

    command: list[str] = Field(min_length=1, description="argv; the program and its arguments")
    code_dir: Path | None = Field(default=None, description="copied into the work dir")
    files: dict[str, str] = Field(default_factory=dict, description="extra input files (text)")
    seed: int | None = None
    condition: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    limits: dict[str, Any] = Field(default_factory=dict, description="overrides of defaults")
    runner: str | None = Field(default=None, description="runner kind; default: settings")
    requirements: list[str] = Field(default_factory=list, description="pinned name==version")
    ara: str | None = Field(default=None, description="ARA slug the run's log is evidence for")
    label: str = ""

    @field_validator("command")
    @classmethod
    def _no_empty_program(cls, value: list[str]) -> list[str]:
        if not value[0].strip():
            raise ValueError("the program (first word) is empty")
        return value


class OutputFile(BaseModel):
    path: str
    kind: Literal["file", "symlink"] = "file"
    size: int = 0
    sha256: str | None = None
    target: str | None = Field(default=None, description="for symlinks: where it points")


class RunRecord(BaseModel):
    """Everything needed to understand and reproduce one run."""

    format_version: int = RECORD_FORMAT
    id: str
    status: RunStatus = "queued"
    result_class: ResultClass | None = None
    execution_mode: Literal["headless"] = "headless"
    label: str = ""
    command: list[str]
    code_hash: str
    code_files: int = 0
    seed: int | None = None
    condition: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    environment: dict[str, Any] = Field(default_factory=dict)
    requirements: list[str] = Field(default_factory=list)
    limits: dict[str, Any] = Field(default_factory=dict)
    runner: str | None = None
    isolation: str | None = None
    executor: str = "local"
    host: str | None = None
    owner_pid: int | None = None
    created: datetime
    started: datetime | None = None
    finished: datetime | None = None
    duration: float | None = None
    cpu_time: float | None = None
    peak_memory: int | None = None
    exit_code: int | None = None
    signal: int | None = None
    limit_fired: str | None = None
    limits_hit: list[str] = Field(default_factory=list)
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    logs: dict[str, str] = Field(default_factory=dict)
    outputs: list[OutputFile] = Field(default_factory=list)
    ara: str | None = None
    evidence: str | None = None
    sandbox_uid: int | None = None
    notes: list[str] = Field(default_factory=list)
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        """The short form for listings."""
        return {
            "id": self.id,
            "status": self.status,
            "result": self.result_class,
            "runner": self.runner,
            "exit": self.exit_code,
            "limit": self.limit_fired,
            "duration": None if self.duration is None else round(self.duration, 3),
            "ara": self.ara,
            "label": self.label or " ".join(self.command)[:60],
        }
