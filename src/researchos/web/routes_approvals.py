"""Approval routes: list and decide human gates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from researchos.pipeline import approvals
from researchos.store import approvals as store
from researchos.web.auth import Authorised
from researchos.web.deps import Ros

router = APIRouter(prefix="/api/approvals", tags=["approvals"])


class Decision(BaseModel):
    decision: str = Field(description="approve, reject or request-changes")
    reason: str | None = None


@router.get("")
def list_approvals(
    ros: Ros, project: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    approvals.sweep(ros)
    with ros.database.session() as session:
        return [
            a.to_dict() for a in store.list_approvals(session, project_id=project, status=status)
        ]


@router.get("/{approval_id}")
def get_approval(approval_id: str, ros: Ros) -> dict[str, Any]:
    with ros.database.session() as session:
        return store.get_approval(session, approval_id=approval_id).to_dict()


@router.post("/{approval_id}")
def decide(approval_id: str, body: Decision, ros: Ros, _: Authorised) -> dict[str, Any]:
    return approvals.decide(
        ros, approval_id=approval_id, decision=body.decision, reason=body.reason
    ).to_dict()
