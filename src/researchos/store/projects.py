"""Data access for projects and their stage state. Returns plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from researchos.errors import NotFound
from researchos.store.pipeline_tables import ProjectRow, StageStateRow


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Project:
    id: str
    title: str
    brief: str
    brief_sha256: str
    mode: str
    hitl: bool
    status: str
    ara_slug: str
    options: dict[str, Any]
    error: str | None
    created: datetime
    updated: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()
        }


@dataclass(frozen=True)
class StageState:
    stage: str
    status: str = "pending"
    attempts: int = 0
    output: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    started: datetime | None = None
    finished: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()
        }


def _project(row: ProjectRow) -> Project:
    return Project(
        id=row.id,
        title=row.title,
        brief=row.brief,
        brief_sha256=row.brief_sha256,
        mode=row.mode,
        hitl=row.hitl,
        status=row.status,
        ara_slug=row.ara_slug,
        options=dict(row.options or {}),
        error=row.error,
        created=row.created,
        updated=row.updated,
    )


def insert_project(
    session: Session,
    *,
    id: str,
    title: str,
    brief: str,
    brief_sha256: str,
    mode: str,
    hitl: bool,
    ara_slug: str,
    options: dict[str, Any],
) -> Project:
    stamp = now()
    row = ProjectRow(
        id=id,
        title=title,
        brief=brief,
        brief_sha256=brief_sha256,
        mode=mode,
        hitl=hitl,
        status="created",
        ara_slug=ara_slug,
        options=options,
        created=stamp,
        updated=stamp,
    )
    session.add(row)
    session.flush()
    return _project(row)


def get_project(session: Session, *, project_id: str) -> Project:
    row = session.get(ProjectRow, project_id)
    if row is None:
        raise NotFound(f"no project named {project_id!r}", fix="see `researchos project list`")
    return _project(row)


def list_projects(session: Session) -> list[Project]:
    rows = session.scalars(select(ProjectRow).order_by(ProjectRow.created.desc()))
    return [_project(row) for row in rows]


def set_project_status(
    session: Session, *, project_id: str, status: str, error: str | None = None
) -> None:
    row = session.get(ProjectRow, project_id)
    if row is None:
        raise NotFound(f"no project named {project_id!r}")
    row.status = status
    row.error = error
    row.updated = now()


def stage_states(session: Session, *, project_id: str) -> dict[str, StageState]:
    rows = session.scalars(select(StageStateRow).where(StageStateRow.project_id == project_id))
    return {
        row.stage: StageState(
            stage=row.stage,
            status=row.status,
            attempts=row.attempts,
            output=dict(row.output or {}),
            error=row.error,
            started=row.started,
            finished=row.finished,
        )
        for row in rows
    }


def _state_row(session: Session, project_id: str, stage: str) -> StageStateRow:
    row = session.get(StageStateRow, (project_id, stage))
    if row is None:
        row = StageStateRow(
            project_id=project_id, stage=stage, status="pending", attempts=0, output={}
        )
        session.add(row)
    return row


def mark_stage(
    session: Session,
    *,
    project_id: str,
    stage: str,
    status: str,
    output: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Move a stage to ``status``; ``running`` counts an attempt, end states stamp a time."""
    row = _state_row(session, project_id, stage)
    row.status = status
    row.error = error
    if status == "running":
        row.attempts = (row.attempts or 0) + 1
        row.started = now()
        row.finished = None
    elif status in ("done", "failed", "skipped"):
        row.finished = now()
    if output is not None:
        row.output = output
