"""The new-project wizard and a project's overview: stage timeline, live progress, actions."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from researchos.errors import InputError
from researchos.pipeline import approvals, budget
from researchos.pipeline.background import MAX_ARCHIVE_BYTES
from researchos.pipeline.engine import redo_from
from researchos.pipeline.projects import MODES, create_project
from researchos.pipeline.stages import ordered_stages
from researchos.store import projects as store
from researchos.store.projects import StageState
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.console.uploads import chosen, save_upload
from researchos.web.deps import Ros
from researchos.web.routes_projects import TERMINAL

router = APIRouter(prefix="/projects", include_in_schema=False)
SHOWN_EVENTS = 100


@router.get("/new")
def new_project_form(request: Request, ros: Ros, _: Viewer) -> Response:
    return render(
        request,
        "project_new.html",
        section="new",
        modes=MODES,
        form={"mode": ros.run_mode, "start": True},
    )


@router.post("/new")
async def new_project(
    request: Request,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    brief: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "",
    hitl: Annotated[bool, Form()] = False,
    start: Annotated[bool, Form()] = False,
    background: Annotated[UploadFile | None, File()] = None,
) -> Response:
    form = {"brief": brief, "title": title, "mode": mode, "hitl": hitl, "start": start}
    try:
        project = await _create(ros, form, chosen(background))
    except InputError as exc:
        return render(
            request,
            "project_new.html",
            section="new",
            modes=MODES,
            form=form,
            error=exc,
            status_code=exc.status,
        )
    if start:
        request.app.state.jobs.start(project.id)
        return redirect(f"/projects/{project.id}", "started")
    return redirect(f"/projects/{project.id}", "created")


async def _create(ros: Any, form: dict[str, Any], upload: UploadFile | None) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        archive = None
        if upload is not None:
            archive = Path(tmp) / "background.zip"
            await save_upload(upload, archive, limit=MAX_ARCHIVE_BYTES, field="background")
        return await to_thread.run_sync(
            lambda: create_project(
                ros,
                brief=form["brief"],
                title=form["title"] or None,
                background=archive,
                hitl=form["hitl"],
                mode=form["mode"] or ros.run_mode,
            )
        )


def timeline(states: dict[str, StageState]) -> list[dict[str, Any]]:
    """Registered stages in order with their stored state, then stored stages not (or no
    longer) registered, so the page shows whatever the store holds."""
    rows = []
    for definition in ordered_stages():
        state = states.get(definition.name) or StageState(stage=definition.name)
        rows.append({"name": definition.name, "gate": definition.gate_after, "state": state})
        rows[-1]["description"] = definition.description
    known = {row["name"] for row in rows}
    for name, state in states.items():
        if name not in known:
            rows.append({"name": name, "gate": None, "state": state, "description": ""})
    return rows


@router.get("/{project_id}")
def overview(project_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    # events first: a run that ends after this snapshot reaches the page over SSE; one that
    # ended before it is already in the store state read next
    events = request.app.state.events.since(project_id, 0)[-SHOWN_EVENTS:]
    with ros.database.session() as session:
        project = store.get_project(session, project_id=project_id)
        states = store.stage_states(session, project_id=project_id)
    return render(
        request,
        "project.html",
        section="projects",
        tab="overview",
        project=project,
        running=_running(request, project_id, events),
        stages=timeline(states),
        budget=budget.summary(ros, project_id=project_id),
        pending=approvals.pending_for_project(ros, project_id=project_id),
        events=events,
        latest={e["stage"]: e for e in events if e["kind"] == "progress" and e.get("stage")},
        last_event=events[-1]["id"] if events else 0,
    )


def _running(request: Request, project_id: str, events: list[dict[str, Any]]) -> bool:
    """Running, unless the snapshot already holds the run's end (its thread is exiting)."""
    ended = bool(events) and events[-1]["kind"] in TERMINAL
    return request.app.state.jobs.running(project_id) and not ended


@router.post("/{project_id}/run")
def start_run(project_id: str, request: Request, ros: Ros, _: Viewer, __: CsrfChecked) -> Response:
    with ros.database.session() as session:
        store.get_project(session, project_id=project_id)
    request.app.state.jobs.start(project_id)
    return redirect(f"/projects/{project_id}", "started")


@router.post("/{project_id}/redo")
def redo(
    project_id: str, ros: Ros, _: Viewer, __: CsrfChecked, stage: Annotated[str, Form()]
) -> Response:
    with ros.database.session() as session:
        store.get_project(session, project_id=project_id)
    redo_from(ros, project_id, stage)
    return redirect(f"/projects/{project_id}", "redo")


@router.post("/{project_id}/budget")
def set_budget(
    project_id: str,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    cpu_s: Annotated[str, Form()] = "",
    tokens: Annotated[str, Form()] = "",
) -> Response:
    with ros.database.session() as session:
        store.get_project(session, project_id=project_id)
    for resource, raw in (("cpu_s", cpu_s), ("tokens", tokens)):
        if raw.strip():
            budget.set_limit(
                ros, project_id=project_id, resource=resource, amount=_amount(raw, resource)
            )
    return redirect(f"/projects/{project_id}", "budget")


def _amount(raw: str, field: str) -> float:
    try:
        value = float(raw.replace(",", "").replace("_", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{raw!r} is not a number >= 0", field=field, fix="enter e.g. 3600")
    return value
