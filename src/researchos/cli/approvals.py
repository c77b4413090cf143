"""``researchos approvals ...``: decide human gates."""

from __future__ import annotations

from typing import Annotated

import typer

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.pipeline import approvals
from researchos.store import approvals as store

app = typer.Typer(no_args_is_help=True, help="Approval requests at human gates.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
IdArg = Annotated[str, typer.Argument(help="Approval id (see `researchos approvals list`).")]


@app.command("list")
def list_(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option("--project")] = None,
    status: Annotated[str | None, typer.Option(help="pending, approved, ...")] = None,
    json_out: JsonFlag = False,
) -> None:
    """List approval requests (sends due reminders and expires overdue ones first)."""
    application = get_app(ctx)
    approvals.sweep(application)
    with application.database.session() as session:
        found = store.list_approvals(session, project_id=project, status=status)
    if json_out:
        emit_json([a.to_dict() for a in found])
        return
    table(
        "Approvals",
        ["id", "project", "gate", "status", "due", "reason"],
        (
            [a.id, a.project_id, a.gate, a.status, a.due_at.isoformat()[:16], a.reason or ""]
            for a in found
        ),
    )


def _decide(
    ctx: typer.Context, approval_id: str, decision: str, reason: str | None, json_out: bool
) -> None:
    approval = approvals.decide(
        get_app(ctx), approval_id=approval_id, decision=decision, reason=reason
    )
    if json_out:
        emit_json(approval.to_dict())
        return
    say(f"{approval.id} ({approval.gate}, project {approval.project_id}): {approval.status}")
    if approval.status == "approved":
        say(f"Continue with `researchos run {approval.project_id}`")


@app.command("approve")
def approve(
    ctx: typer.Context,
    approval_id: IdArg,
    reason: Annotated[str | None, typer.Option()] = None,
    json_out: JsonFlag = False,
) -> None:
    """Approve; the project continues on its next `researchos run`."""
    _decide(ctx, approval_id, "approve", reason, json_out)


@app.command("reject")
def reject(
    ctx: typer.Context,
    approval_id: IdArg,
    reason: Annotated[str, typer.Option(help="Why (required).")],
    json_out: JsonFlag = False,
) -> None:
    """Reject; the project stays blocked."""
    _decide(ctx, approval_id, "reject", reason, json_out)


@app.command("request-changes")
def request_changes(
    ctx: typer.Context,
    approval_id: IdArg,
    reason: Annotated[str, typer.Option(help="What must change (required).")],
    json_out: JsonFlag = False,
) -> None:
    """Ask for changes; the project stays blocked until the gated stage is redone."""
    _decide(ctx, approval_id, "request-changes", reason, json_out)
