"""The ``runs`` table: one row per sandboxed run, with its full record as JSON.

The columns are what listings filter and sort on; ``record`` holds the whole run record
(format 1), the same document as ``var/runs/<id>/record.json``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    Float,
    Insert,
    Integer,
    String,
    Table,
    Text,
    Update,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from researchos.store.tables import Base, UTCDateTime

_COLUMNS = (
    "status",
    "result_class",
    "runner",
    "isolation",
    "executor",
    "ara_slug",
    "label",
    "code_hash",
    "seed",
    "exit_code",
    "limit_fired",
    "execution_mode",
    "created",
    "started",
    "finished",
    "duration",
    "peak_memory",
)


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    result_class: Mapped[str | None] = mapped_column(String(24), nullable=True)
    runner: Mapped[str | None] = mapped_column(String(16), nullable=True)
    isolation: Mapped[str | None] = mapped_column(String(16), nullable=True)
    executor: Mapped[str] = mapped_column(String(16))
    ara_slug: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    label: Mapped[str] = mapped_column(Text, default="")
    code_hash: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    limit_fired: Mapped[str | None] = mapped_column(String(16), nullable=True)
    execution_mode: Mapped[str] = mapped_column(String(16))
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    started: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    peak_memory: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    record: Mapped[dict[str, Any]] = mapped_column()


def _columns(record: dict[str, Any]) -> dict[str, Any]:
    values = {name: record.get(name) for name in _COLUMNS if name != "ara_slug"}
    values["ara_slug"] = record.get("ara")
    values["label"] = record.get("label") or ""
    return values


def _statements() -> tuple[Update, Insert]:
    """Built once: a run is saved three times, and building ORM statements costs more than
    running them."""
    table = cast(Table, RunRow.__table__)
    values: dict[str, Any] = {name: bindparam(name) for name in (*_COLUMNS, "record")}
    update_row = table.update().where(table.c.id == bindparam("run_id")).values(values)
    insert_row = table.insert().values({"id": bindparam("run_id"), **values})
    return update_row, insert_row


_UPDATE, _INSERT = _statements()


def save_run(session: Session | Connection, *, record: dict[str, Any]) -> None:
    """Insert or replace the row of ``record['id']`` (``record`` is JSON-safe)."""
    values = _columns(record)
    for key in ("created", "started", "finished"):
        if isinstance(values[key], str):
            values[key] = datetime.fromisoformat(values[key])
    values.update(record=record, run_id=record["id"])
    # one UPDATE in the common case (a known run changes state); INSERT the first time
    changed = session.execute(_UPDATE, values)
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(_INSERT, values)


def get_run(session: Session, *, run_id: str) -> dict[str, Any] | None:
    row = session.get(RunRow, run_id)
    return dict(row.record) if row is not None else None


def list_runs(
    session: Session,
    *,
    limit: int = 50,
    status: str | None = None,
    ara: str | None = None,
) -> list[dict[str, Any]]:
    """Newest first."""
    query = select(RunRow).order_by(RunRow.created.desc(), RunRow.id.desc()).limit(limit)
    if status:
        query = query.where(RunRow.status == status)
    if ara:
        query = query.where(RunRow.ara_slug == ara)
    return [dict(row.record) for row in session.scalars(query)]


def find_run_ids(session: Session, *, prefix: str) -> list[str]:
    query = select(RunRow.id).where(RunRow.id.startswith(prefix)).limit(5)
    return list(session.scalars(query))


def result_counts(session: Session) -> dict[str, int]:
    """Finished runs by result class (succeeded, failed, sandbox_error, ...)."""
    query = (
        select(RunRow.result_class, func.count())
        .where(RunRow.status == "finished")
        .group_by(RunRow.result_class)
    )
    return {str(result or "unknown"): int(n) for result, n in session.execute(query)}
