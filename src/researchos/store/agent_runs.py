"""Agent runs: the work briefs agents received, their runs and every event they recorded.

``agent_briefs`` keeps each brief handed out over MCP (so a run can be checked against the
contract it was given), ``agent_runs`` one row per run an agent started, and
``agent_run_events`` the events in the order they arrived (the autoincrement id is the order:
no read-then-write sequence numbers that two concurrent calls could both take).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from researchos.store.tables import Base, UTCDateTime


class AgentBriefRow(Base):
    __tablename__ = "agent_briefs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    task: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    agent: Mapped[dict[str, Any]] = mapped_column(default=dict)
    repo: Mapped[str | None] = mapped_column(Text, nullable=True)
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AgentRunRow(Base):
    __tablename__ = "agent_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    task: Mapped[str] = mapped_column(Text)
    agent: Mapped[str] = mapped_column(String(128), default="")
    model: Mapped[str] = mapped_column(String(128), default="")
    toolchain: Mapped[str] = mapped_column(String(128), default="")
    repo: Mapped[str | None] = mapped_column(Text, nullable=True)
    brief_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    gated: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    tag: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    violations: Mapped[list[Any]] = mapped_column(default=list)


class AgentRunEventRow(Base):
    __tablename__ = "agent_run_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(40), index=True)
    event: Mapped[str] = mapped_column(String(40))
    phase: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


@dataclass(frozen=True)
class BriefRecord:
    id: str
    task: str
    created: datetime
    agent: dict[str, Any]
    repo: str | None
    document: dict[str, Any]


@dataclass(frozen=True)
class AgentRunRecord:
    id: str
    task: str
    agent: str
    model: str
    toolchain: str
    repo: str | None
    brief_id: str | None
    gated: bool
    status: str
    tag: str | None
    created: datetime
    completed: datetime | None = None
    outcome: str | None = None
    summary: str = ""
    violations: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class EventRecord:
    seq: int
    event: str
    phase: str
    at: datetime
    detail: dict[str, Any]


_RUN_FIELDS = tuple(AgentRunRecord.__dataclass_fields__)


def _run(row: AgentRunRow) -> AgentRunRecord:
    return AgentRunRecord(**{name: getattr(row, name) for name in _RUN_FIELDS})


def insert_brief(session: Session, *, brief: BriefRecord) -> None:
    session.add(AgentBriefRow(**brief.__dict__))


def get_brief(session: Session, *, brief_id: str) -> BriefRecord | None:
    row = session.get(AgentBriefRow, brief_id)
    if row is None:
        return None
    return BriefRecord(row.id, row.task, row.created, row.agent, row.repo, row.document)


def insert_run(session: Session, *, run: AgentRunRecord) -> None:
    session.add(AgentRunRow(**{name: getattr(run, name) for name in _RUN_FIELDS}))


def get_run(session: Session, *, run_id: str) -> AgentRunRecord | None:
    row = session.get(AgentRunRow, run_id)
    return None if row is None else _run(row)


def update_run(session: Session, *, run_id: str, changes: Mapping[str, Any]) -> None:
    row = session.get(AgentRunRow, run_id)
    if row is None:
        raise KeyError(run_id)
    for name, value in changes.items():
        if name not in _RUN_FIELDS or name == "id":
            raise ValueError(f"unknown agent run field {name!r}")
        setattr(row, name, value)


def list_runs(
    session: Session, *, tag: str | None = None, status: str | None = None, limit: int = 100
) -> list[AgentRunRecord]:
    """Newest first."""
    query = select(AgentRunRow).order_by(AgentRunRow.created.desc()).limit(limit)
    if tag is not None:
        query = query.where(AgentRunRow.tag == tag)
    if status is not None:
        query = query.where(AgentRunRow.status == status)
    return [_run(row) for row in session.scalars(query)]


def append_event(
    session: Session, *, run_id: str, event: str, phase: str, at: datetime, detail: dict[str, Any]
) -> int:
    """Store one event; returns its position (1-based) in the run."""
    session.add(AgentRunEventRow(run_id=run_id, event=event, phase=phase, at=at, detail=detail))
    session.flush()
    return len(list_events(session, run_id=run_id))


def list_events(session: Session, *, run_id: str) -> list[EventRecord]:
    query = (
        select(AgentRunEventRow)
        .where(AgentRunEventRow.run_id == run_id)
        .order_by(AgentRunEventRow.id)
    )
    return [
        EventRecord(index, row.event, row.phase, row.at, row.detail)
        for index, row in enumerate(session.scalars(query), start=1)
    ]
