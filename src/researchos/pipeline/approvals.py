"""Human gates: approval requests with a token, a timeout and reminders.

A gate is durable state, not a prompt: the request lives in the store, the pipeline stops,
and it resumes only after a person approves. Reject and request-changes keep the project
blocked until the gated work is redone (``researchos run PROJECT --redo STAGE``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from researchos.errors import Conflict, InputError, PermissionDenied
from researchos.pipeline.mail import build_message, deliver
from researchos.store import approvals as store
from researchos.store import audit
from researchos.store.approvals import Approval
from researchos.store.projects import now

TIMEOUT = timedelta(hours=72)
REMIND_AFTER = timedelta(hours=24)
DECISIONS = {"approve": "approved", "reject": "rejected", "request-changes": "changes_requested"}


@dataclass(frozen=True)
class NewApproval:
    approval: Approval
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_approval(app, *, project_id: str, gate: str, summary: str) -> NewApproval:
    """Create a pending request for ``gate`` and mail it to the approver."""
    token = secrets.token_urlsafe(24)
    approval_id = f"apr-{uuid.uuid4().hex[:12]}"
    with app.database.session() as session:
        approval = store.insert_approval(
            session,
            id=approval_id,
            project_id=project_id,
            gate=gate,
            summary=summary,
            token_sha256=_hash(token),
            timeout=TIMEOUT,
            remind_after=REMIND_AFTER,
        )
        audit.record(
            session,
            actor=app.actor,
            action="approval.request",
            target=project_id,
            payload={"approval": approval_id, "gate": gate},
        )
    delivery = _send(app, approval, token, reminder=False)
    with app.database.session() as session:
        approval = store.update_approval(session, approval_id=approval_id, delivery=delivery)
    return NewApproval(approval, token)


def _send(app, approval: Approval, token: str | None, *, reminder: bool) -> str:
    prefix = "Reminder: " if reminder else ""
    body = (
        f"Project {approval.project_id} is waiting at gate {approval.gate}.\n\n"
        f"{approval.summary}\n\n"
        f"Approve:          researchos approvals approve {approval.id}\n"
        f"Reject:           researchos approvals reject {approval.id} --reason ...\n"
        f"Request changes:  researchos approvals request-changes {approval.id} "
        f"--reason ...\n"
    )
    if token:
        body += f"\nApproval token (for the API and console): {token}\n"
    body += f"\nThe request expires at {approval.due_at.isoformat()}.\n"
    message = build_message(
        settings=app.settings,
        subject=f"{prefix}[ResearchOS] approval needed: {approval.gate} ({approval.project_id})",
        body=body,
    )
    name = f"{approval.id}-reminder-{approval.reminders + 1}" if reminder else approval.id
    return deliver(message, settings=app.settings, outbox=app.workspace.outbox_dir, name=name)


def decide(
    app,
    *,
    approval_id: str,
    decision: str,
    reason: str | None = None,
    token: str | None = None,
    require_token: bool = False,
) -> Approval:
    """Approve, reject or request changes; reject and request-changes need a reason."""
    if decision not in DECISIONS:
        raise InputError(
            f"unknown decision {decision!r}",
            field="decision",
            fix=f"use one of {', '.join(DECISIONS)}",
        )
    if decision != "approve" and not (reason and reason.strip()):
        raise InputError(
            "a reason is required", field="reason", fix=f'pass --reason "..." to {decision}'
        )
    with app.database.session() as session:
        approval = store.get_approval(session, approval_id=approval_id)
        if require_token and not (
            token and hmac.compare_digest(_hash(token), approval.token_sha256)
        ):
            raise PermissionDenied(
                "the approval token does not match", fix="use the token from the approval mail"
            )
        if approval.status != "pending":
            raise Conflict(f"approval {approval_id} is already {approval.status}")
        updated = store.update_approval(
            session,
            approval_id=approval_id,
            status=DECISIONS[decision],
            decided_at=now(),
            decided_by=app.actor,
            reason=reason,
        )
        audit.record(
            session,
            actor=app.actor,
            action=f"approval.{decision}",
            target=approval.project_id,
            payload={"approval": approval_id, "gate": approval.gate, "reason": reason},
        )
    return updated


def sweep(app) -> list[Approval]:
    """Send due reminders and expire overdue requests; returns what changed."""
    changed = []
    stamp = now()
    with app.database.session() as session:
        pending = store.list_approvals(session, status="pending")
    for approval in pending:
        if stamp >= approval.due_at:
            with app.database.session() as session:
                changed.append(
                    store.update_approval(
                        session,
                        approval_id=approval.id,
                        status="expired",
                        decided_at=stamp,
                        reason="no decision within 72 hours",
                    )
                )
        elif stamp >= approval.remind_at:
            _send(app, approval, None, reminder=True)
            with app.database.session() as session:
                changed.append(
                    store.update_approval(
                        session,
                        approval_id=approval.id,
                        reminders=approval.reminders + 1,
                        remind_at=stamp + REMIND_AFTER,
                    )
                )
    return changed


def latest_for_gate(app, *, project_id: str, gate: str) -> Approval | None:
    with app.database.session() as session:
        found = [
            a
            for a in store.list_approvals(session, project_id=project_id)
            if a.gate == gate and a.status != "superseded"
        ]
    return found[-1] if found else None


def pending_for_project(app, *, project_id: str) -> list[Approval]:
    with app.database.session() as session:
        return store.list_approvals(session, project_id=project_id, status="pending")
