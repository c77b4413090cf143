"""Approvals: every human gate, decided with approve / reject / request changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from researchos.pipeline import approvals
from researchos.pipeline.approvals import DECISIONS
from researchos.store import approvals as store
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.deps import Ros

router = APIRouter(prefix="/approvals", include_in_schema=False)
DECIDED_SHOWN = 30


@router.get("")
def list_approvals(request: Request, ros: Ros, _: Viewer, project: str | None = None) -> Response:
    approvals.sweep(ros)
    with ros.database.session() as session:
        found = store.list_approvals(session, project_id=project or None)
    pending = [a for a in found if a.status == "pending"]
    decided = [a for a in reversed(found) if a.status != "pending"][:DECIDED_SHOWN]
    return render(
        request,
        "approvals.html",
        section="approvals",
        pending=pending,
        decided=decided,
        project=project,
    )


@router.post("/{approval_id}")
def decide(
    approval_id: str,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    decided = approvals.decide(
        ros, approval_id=approval_id, decision=decision, reason=reason.strip() or None
    )
    return redirect(f"/approvals?project={decided.project_id}", DECISIONS[decision])
