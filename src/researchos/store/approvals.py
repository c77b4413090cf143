"""Data access for approval requests (human gates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from researchos.errors import NotFound
from researchos.store.pipeline_tables import ApprovalRow
from researchos.store.projects import now


@dataclass(frozen=True)
class Approval:
    id: str
    project_id: str
    gate: str
    status: str
    summary: str
    created: datetime
    due_at: datetime
    remind_at: datetime
    reminders: int
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    delivery: str | None
    token_sha256: str

    def to_dict(self) -> dict[str, Any]:
        out = {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()
        }
        out.pop("token_sha256")
        return out


def _approval(row: ApprovalRow) -> Approval:
    return Approval(
        id=row.id,
        project_id=row.project_id,
        gate=row.gate,
        status=row.status,
        summary=row.summary,
        created=row.created,
        due_at=row.due_at,
        remind_at=row.remind_at,
        reminders=row.reminders,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        reason=row.reason,
        delivery=row.delivery,
        token_sha256=row.token_sha256,
    )


def insert_approval(
    session: Session,
    *,
    id: str,
    project_id: str,
    gate: str,
    summary: str,
    token_sha256: str,
    timeout: timedelta,
    remind_after: timedelta,
) -> Approval:
    stamp = now()
    row = ApprovalRow(
        id=id,
        project_id=project_id,
        gate=gate,
        status="pending",
        token_sha256=token_sha256,
        summary=summary,
        created=stamp,
        due_at=stamp + timeout,
        remind_at=stamp + remind_after,
        reminders=0,
    )
    session.add(row)
    session.flush()
    return _approval(row)


def get_approval(session: Session, *, approval_id: str) -> Approval:
    row = session.get(ApprovalRow, approval_id)
    if row is None:
        raise NotFound(
            f"no approval request {approval_id!r}", fix="see `researchos approvals list`"
        )
    return _approval(row)


def list_approvals(
    session: Session, *, project_id: str | None = None, status: str | None = None
) -> list[Approval]:
    query = select(ApprovalRow).order_by(ApprovalRow.created)
    if project_id:
        query = query.where(ApprovalRow.project_id == project_id)
    if status:
        query = query.where(ApprovalRow.status == status)
    return [_approval(row) for row in session.scalars(query)]


def update_approval(session: Session, *, approval_id: str, **fields: Any) -> Approval:
    row = session.get(ApprovalRow, approval_id)
    if row is None:
        raise NotFound(f"no approval request {approval_id!r}")
    for key, value in fields.items():
        setattr(row, key, value)
    session.flush()
    return _approval(row)
