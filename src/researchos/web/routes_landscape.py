"""Landscape routes: read entries and proposals; propose, merge and reject with the token.

The workspace token says the caller may act on this workspace; ``actor`` says who acts.
Agents (``agent:*``) may propose but never merge or reject: the service refuses them (403).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from researchos.web.auth import Authorised
from researchos.web.deps import Ros

router = APIRouter(prefix="/api/landscape", tags=["landscape"])
ACTOR_HELP = "Who acts: user:<name> or agent:<role>. Default: the server's actor."


class ProposeBody(BaseModel):
    ara: str = Field(min_length=1)
    claim: str = Field(min_length=1)
    kind: Literal["known_result", "hypothesis"] | None = Field(default=None, alias="as")
    rationale: str = ""
    actor: str | None = Field(default=None, description=ACTOR_HELP)


class DecisionBody(BaseModel):
    reason: str = ""
    actor: str | None = Field(default=None, description=ACTOR_HELP)


@router.get("")
def overview(ros: Ros) -> dict[str, Any]:
    """Every entry (known results, hypotheses, retracted) and the pending count."""
    entries = [e.model_dump(mode="json", exclude_none=True) for e in ros.landscape.entries()]
    return {"entries": entries, "pending": len(ros.landscape.proposals())}


@router.get("/entries/{entry_id}")
def entry(entry_id: str, ros: Ros) -> dict[str, Any]:
    return ros.landscape.entry(entry_id).model_dump(mode="json", exclude_none=True)


@router.get("/proposals")
def proposals(ros: Ros) -> list[dict[str, Any]]:
    """Pending proposals with their checks and what a merge would refuse now."""
    return ros.landscape.review()


@router.post("/proposals", status_code=status.HTTP_201_CREATED)
def propose(body: ProposeBody, ros: Ros, _: Authorised) -> dict[str, Any]:
    proposal = ros.landscape.propose(
        ara=body.ara, claim=body.claim, kind=body.kind, rationale=body.rationale, actor=body.actor
    )
    return proposal.model_dump(mode="json", exclude_none=True)


@router.post("/proposals/{proposal_id}/merge")
def merge(proposal_id: str, body: DecisionBody, ros: Ros, _: Authorised) -> dict[str, Any]:
    merged = ros.landscape.merge(proposal_id, reason=body.reason, actor=body.actor)
    return merged.model_dump(mode="json", exclude_none=True)


@router.post("/proposals/{proposal_id}/reject")
def reject(proposal_id: str, body: DecisionBody, ros: Ros, _: Authorised) -> dict[str, Any]:
    decided = ros.landscape.reject(proposal_id, reason=body.reason, actor=body.actor)
    return decided.model_dump(mode="json", exclude_none=True)
