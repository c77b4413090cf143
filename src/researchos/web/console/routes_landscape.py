"""The research landscape: pending proposals to merge or reject, known results, hypotheses and
retracted entries; one entry with its retraction; proposing a claim from its page.

Every change goes through LandscapeService with the server's actor (``RESEARCHOS_ACTOR``), the
same human gate as ``researchos landscape merge|reject|retract``: the service refuses anything
but a ``user:*`` actor, and nothing in a form can name another actor.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from researchos.errors import InputError, NotFound
from researchos.files import safe_relative
from researchos.landscape.gates import is_person
from researchos.landscape.models import EntryKind
from researchos.landscape.records import decided_proposals
from researchos.landscape.service import MANUAL_REASONS
from researchos.web.console import ara_view, landscape_view
from researchos.web.console.markup import Links
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.deps import Ros

router = APIRouter(prefix="/landscape", include_in_schema=False)
DECIDED_SHOWN = 20
DECISIONS = ("merge", "reject")


def _landscape_page(
    request: Request, ros: Any, *, errors: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    service = ros.landscape
    decided = sorted(
        decided_proposals(service.paths),
        key=lambda p: p.decision.at if p.decision else p.proposed_at,
        reverse=True,
    )
    return render(
        request,
        "landscape.html",
        section="landscape",
        actor=service.actor,
        person=is_person(service.actor),
        pending=landscape_view.pending(ros),
        sections=landscape_view.sections(service.entries()),
        decided=decided[:DECIDED_SHOWN],
        errors=errors or {},
        status_code=status_code,
    )


@router.get("")
def landscape(request: Request, ros: Ros, _: Viewer) -> Response:
    return _landscape_page(request, ros)


@router.post("/proposals/{proposal_id}")
def decide(
    proposal_id: str,
    request: Request,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Merge or reject as the server's actor (a person, or the service refuses with 403)."""
    if decision not in DECISIONS:
        raise InputError(f"unknown decision {decision!r}", field="decision", fix="merge or reject")
    if decision == "merge":
        entry = ros.landscape.merge(proposal_id, reason=reason.strip())
        return redirect(f"/landscape#entry-{entry.id}", "landscape_merged")
    try:
        ros.landscape.reject(proposal_id, reason=reason.strip())
    except InputError as exc:  # no reason: show the page again with the message at the form
        return _landscape_page(request, ros, errors={proposal_id: exc}, status_code=exc.status)
    return redirect("/landscape#decided", "landscape_rejected")


@router.post("/proposals")
def propose(
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    ara: Annotated[str, Form(min_length=1, max_length=200)],
    claim: Annotated[str, Form(min_length=1, max_length=50)],
    kind: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Propose a claim (anyone may; the checks and the contradiction review run now)."""
    if kind not in ("", "known_result", "hypothesis"):
        raise InputError(f"unknown kind {kind!r}", field="kind", fix="known_result or hypothesis")
    chosen = cast("EntryKind | None", kind or None)  # one of the two, checked above
    proposal = ros.landscape.propose(ara=ara, claim=claim, kind=chosen, rationale=rationale.strip())
    return redirect(f"/landscape#proposal-{proposal.id}", "landscape_proposed")


@router.post("/expire")
def expire(ros: Ros, _: Viewer, __: CsrfChecked) -> Response:
    """The one mechanical rule: retract hypotheses without new evidence for too long."""
    ros.landscape.expire()
    return redirect("/landscape#h-retracted", "landscape_expired")


@router.get("/entries/{entry_id}")
def entry(entry_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    found = ros.landscape.entry(entry_id)
    return render(
        request,
        "landscape_entry.html",
        section="landscape",
        entry=found,
        evidence=landscape_view.evidence(ros, found.evidence),
        path=ros.landscape.paths.display(ros.landscape.paths.entry(found)),
        reasons=MANUAL_REASONS,
        actor=ros.landscape.actor,
        person=is_person(ros.landscape.actor),
    )


@router.post("/entries/{entry_id}/retract")
def retract(
    entry_id: str,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    reason: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    ros.landscape.retract(entry_id, reason=reason, note=note.strip())
    return redirect(f"/landscape/entries/{entry_id}", "landscape_retracted")


def _landscape_links(base: str) -> Links:
    return Links(base=base, files="/landscape/files/")


@router.get("/files/{path:path}")
def landscape_file(path: str, request: Request, ros: Ros, _: Viewer) -> Response:
    root = ros.workspace.landscape_dir
    if not safe_relative(root, path, field="path").is_file():
        raise NotFound(f"research-landscape/ has no file {path!r}")
    view = ara_view.view_file(root, path, _landscape_links)
    return render(request, "landscape_file.html", section="landscape", view=view)
