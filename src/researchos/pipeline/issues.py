"""Review issues P0-P3 and the rules that decide whether a package may be frozen.

States: open -> resolved | waived; resolved -> reopened (found again). Open P0/P1 block
freezing; P2 block unless resolved, or waived and the freeze explicitly allows waived P2s.
P0 and P1 cannot be waived: they must be fixed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from researchos.errors import Conflict, InputError
from researchos.store import reviews as store
from researchos.store.reviews import ReviewIssue

SEVERITIES = ("P0", "P1", "P2", "P3")


@dataclass(frozen=True)
class Finding:
    """What a check found, before it becomes (or matches) a stored review issue."""

    severity: str
    source: str
    message: str
    location: str | None = None

    @property
    def fingerprint(self) -> str:
        key = f"{self.source}|{self.location}|{self.message}"
        return hashlib.sha256(key.encode()).hexdigest()


def record_findings(app, *, project_id: str, findings: list[Finding]) -> list[ReviewIssue]:
    with app.database.session() as session:
        return [
            store.upsert_issue(
                session,
                project_id=project_id,
                severity=f.severity,
                source=f.source,
                message=f.message,
                location=f.location,
                fingerprint=f.fingerprint,
                actor=app.actor,
            )
            for f in findings
        ]


def resolve_missing(app, *, project_id: str, findings: list[Finding], sources: set[str]) -> None:
    """Mark issues of ``sources`` that a new review no longer finds as resolved."""
    current = {f.fingerprint for f in findings}
    with app.database.session() as session:
        for issue in store.list_issues(session, project_id=project_id):
            if (
                issue.source in sources
                and issue.status in ("open", "reopened")
                and issue.fingerprint not in current
            ):
                store.change_status(
                    session,
                    project_id=project_id,
                    issue_id=issue.issue_id,
                    status="resolved",
                    actor=app.actor,
                    reason="no longer found by review",
                )


def change(app, *, project_id: str, issue_id: str, status: str, reason: str | None) -> ReviewIssue:
    if status not in ("resolved", "waived", "reopened", "open"):
        raise InputError(f"unknown review issue state {status!r}", field="status")
    with app.database.session() as session:
        issue = store.get_issue(session, project_id=project_id, issue_id=issue_id)
        if status == "waived" and issue.severity in ("P0", "P1"):
            raise Conflict(
                f"{issue_id} is {issue.severity}: P0 and P1 issues cannot be waived",
                fix="fix the cause and re-run the review stage",
            )
        if status == "waived" and not (reason and reason.strip()):
            raise InputError("waiving needs a reason", field="reason")
        return store.change_status(
            session,
            project_id=project_id,
            issue_id=issue_id,
            status=status,
            actor=app.actor,
            reason=reason,
        )


def list_issues(app, *, project_id: str) -> list[ReviewIssue]:
    with app.database.session() as session:
        return store.list_issues(session, project_id=project_id)


def freeze_blockers(app, *, project_id: str, allow_waived_p2: bool = False) -> list[str]:
    """Why the project's package may not be frozen now (empty when it may)."""
    blockers = []
    for issue in list_issues(app, project_id=project_id):
        active = issue.status in ("open", "reopened")
        if issue.severity in ("P0", "P1") and active:
            blockers.append(f"{issue.issue_id} ({issue.severity}, {issue.source}): {issue.message}")
        elif issue.severity == "P2" and (
            active or (issue.status == "waived" and not allow_waived_p2)
        ):
            blockers.append(f"{issue.issue_id} (P2 {issue.status}): {issue.message}")
    return blockers
