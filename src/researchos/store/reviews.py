"""Data access for review issues (P0-P3) and their state history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from researchos.errors import NotFound
from researchos.store.pipeline_tables import ReviewIssueRow
from researchos.store.projects import now


@dataclass(frozen=True)
class ReviewIssue:
    project_id: str
    issue_id: str
    severity: str
    source: str
    message: str
    location: str | None
    fingerprint: str
    status: str
    history: list[dict[str, Any]]
    created: datetime
    updated: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()
        }


def _issue(row: ReviewIssueRow) -> ReviewIssue:
    return ReviewIssue(
        project_id=row.project_id,
        issue_id=row.issue_id,
        severity=row.severity,
        source=row.source,
        message=row.message,
        location=row.location,
        fingerprint=row.fingerprint,
        status=row.status,
        history=list(row.history or []),
        created=row.created,
        updated=row.updated,
    )


def list_issues(session: Session, *, project_id: str) -> list[ReviewIssue]:
    query = (
        select(ReviewIssueRow)
        .where(ReviewIssueRow.project_id == project_id)
        .order_by(ReviewIssueRow.issue_id)
    )
    return [_issue(row) for row in session.scalars(query)]


def get_issue(session: Session, *, project_id: str, issue_id: str) -> ReviewIssue:
    row = session.get(ReviewIssueRow, (project_id, issue_id))
    if row is None:
        raise NotFound(
            f"project {project_id!r} has no review issue {issue_id!r}",
            fix=f"see `researchos review list {project_id}`",
        )
    return _issue(row)


def upsert_issue(
    session: Session,
    *,
    project_id: str,
    severity: str,
    source: str,
    message: str,
    location: str | None,
    fingerprint: str,
    actor: str,
) -> ReviewIssue:
    """Insert a new issue, or reopen a resolved one with the same fingerprint."""
    row = session.scalars(
        select(ReviewIssueRow).where(
            ReviewIssueRow.project_id == project_id, ReviewIssueRow.fingerprint == fingerprint
        )
    ).first()
    stamp = now()
    if row is None:
        count = len(list_issues(session, project_id=project_id))
        row = ReviewIssueRow(
            project_id=project_id,
            issue_id=f"R{count + 1:03d}",
            severity=severity,
            source=source,
            message=message,
            location=location,
            fingerprint=fingerprint,
            status="open",
            history=[{"at": stamp.isoformat(), "status": "open", "by": actor}],
            created=stamp,
            updated=stamp,
        )
        session.add(row)
    elif row.status == "resolved":
        set_status(row, "reopened", actor=actor, reason="found again by review")
    session.flush()
    return _issue(row)


def set_status(row: ReviewIssueRow, status: str, *, actor: str, reason: str | None) -> None:
    stamp = now()
    row.status = status
    row.updated = stamp
    row.history = [
        *(row.history or []),
        {"at": stamp.isoformat(), "status": status, "by": actor, "reason": reason},
    ]


def change_status(
    session: Session, *, project_id: str, issue_id: str, status: str, actor: str, reason: str | None
) -> ReviewIssue:
    row = session.get(ReviewIssueRow, (project_id, issue_id))
    if row is None:
        raise NotFound(f"project {project_id!r} has no review issue {issue_id!r}")
    set_status(row, status, actor=actor, reason=reason)
    session.flush()
    return _issue(row)
