"""Project routes: create, read, run (background + SSE), budget, review issues."""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from researchos.pipeline import budget, issues
from researchos.pipeline.projects import create_project
from researchos.store import projects as store
from researchos.store import research
from researchos.web.auth import Authorised
from researchos.web.deps import Ros

router = APIRouter(prefix="/api/projects", tags=["projects"])


class NewProject(BaseModel):
    brief: str = Field(description="The research brief (markdown).")
    title: str | None = None
    hitl: bool = False
    mode: str | None = Field(default=None, description="mock, smoke or production.")
    ideas: int | None = Field(default=None, ge=1, le=500)


class IssueChange(BaseModel):
    status: str = Field(description="resolved, waived or reopened")
    reason: str | None = None


class BudgetChange(BaseModel):
    cpu_s: float | None = Field(default=None, ge=0)
    tokens: float | None = Field(default=None, ge=0)


def _options(ideas: int | None) -> dict[str, Any]:
    return {"ideas": ideas} if ideas else {}


@router.get("")
def list_projects(ros: Ros) -> list[dict[str, Any]]:
    with ros.database.session() as session:
        return [p.to_dict() for p in store.list_projects(session)]


@router.post("", status_code=201)
def new_project(body: NewProject, ros: Ros, _: Authorised) -> dict[str, Any]:
    project = create_project(
        ros,
        brief=body.brief,
        title=body.title,
        hitl=body.hitl,
        mode=body.mode or ros.run_mode,
        options=_options(body.ideas),
    )
    return project.to_dict()


@router.post("/upload", status_code=201)
async def new_project_with_background(
    ros: Ros,
    _: Authorised,
    brief: Annotated[str, Form()],
    background: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str | None, Form()] = None,
    hitl: Annotated[bool, Form()] = False,
    mode: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """Create a project with a background ZIP (multipart form)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = None
        if background is not None and background.filename:
            archive = Path(tmp) / "background.zip"
            with archive.open("wb") as sink:
                while chunk := await background.read(1 << 20):
                    sink.write(chunk)
        project = await to_thread.run_sync(
            lambda: create_project(
                ros,
                brief=brief,
                title=title,
                background=archive,
                hitl=hitl,
                mode=mode or ros.run_mode,
            )
        )
    return project.to_dict()


@router.get("/{project_id}")
def get_project(project_id: str, ros: Ros, request: Request) -> dict[str, Any]:
    with ros.database.session() as session:
        project = store.get_project(session, project_id=project_id)
        states = store.stage_states(session, project_id=project_id)
    return {
        "project": project.to_dict(),
        "running": request.app.state.jobs.running(project_id),
        "stages": {name: state.to_dict() for name, state in states.items()},
        "budget": budget.summary(ros, project_id=project_id),
    }


@router.get("/{project_id}/ideas")
def ideas(project_id: str, ros: Ros) -> dict[str, Any]:
    with ros.database.session() as session:
        store.get_project(session, project_id=project_id)
        return {
            "ideas": [i.to_dict() for i in research.list_ideas(session, project_id=project_id)],
            "funnel": research.funnel_log(session, project_id=project_id),
        }


@router.get("/{project_id}/specs")
def specs(project_id: str, ros: Ros) -> list[dict[str, Any]]:
    with ros.database.session() as session:
        store.get_project(session, project_id=project_id)
        return [s.to_dict() for s in research.list_specs(session, project_id=project_id)]


@router.get("/{project_id}/runs")
def runs(project_id: str, ros: Ros) -> list[dict[str, Any]]:
    with ros.database.session() as session:
        store.get_project(session, project_id=project_id)
        return [r.to_dict() for r in research.list_runs(session, project_id=project_id)]


@router.get("/{project_id}/claims")
def claims(project_id: str, ros: Ros) -> list[dict[str, Any]]:
    with ros.database.session() as session:
        project = store.get_project(session, project_id=project_id)
    return [c.model_dump(mode="json") for c in ros.aras.claims(project.ara_slug)]


@router.get("/{project_id}/draft")
def draft(project_id: str, ros: Ros) -> dict[str, Any]:
    with ros.database.session() as session:
        project = store.get_project(session, project_id=project_id)
    paper = ros.aras.paths(project.ara_slug).views_dir / "paper.md"
    return {
        "path": f"ara/{project.ara_slug}/views/paper.md",
        "markdown": paper.read_text("utf-8") if paper.exists() else None,
    }


@router.get("/{project_id}/review-issues")
def review_issues(project_id: str, ros: Ros) -> list[dict[str, Any]]:
    return [i.to_dict() for i in issues.list_issues(ros, project_id=project_id)]


@router.post("/{project_id}/review-issues/{issue_id}")
def change_issue(
    project_id: str, issue_id: str, body: IssueChange, ros: Ros, _: Authorised
) -> dict[str, Any]:
    return issues.change(
        ros, project_id=project_id, issue_id=issue_id, status=body.status, reason=body.reason
    ).to_dict()


@router.get("/{project_id}/budget")
def get_budget(project_id: str, ros: Ros) -> dict[str, Any]:
    with ros.database.session() as session:
        store.get_project(session, project_id=project_id)
    return budget.summary(ros, project_id=project_id)


@router.post("/{project_id}/budget")
def set_budget(project_id: str, body: BudgetChange, ros: Ros, _: Authorised) -> dict[str, Any]:
    for resource in ("cpu_s", "tokens"):
        amount = getattr(body, resource)
        if amount is not None:
            budget.set_limit(ros, project_id=project_id, resource=resource, amount=amount)
    return budget.summary(ros, project_id=project_id)


@router.post("/{project_id}/run", status_code=202)
def start_run(project_id: str, ros: Ros, request: Request, _: Authorised) -> dict[str, Any]:
    """Run or resume the project in the background; 409 while an approval is pending."""
    with ros.database.session() as session:
        store.get_project(session, project_id=project_id)
    request.app.state.jobs.start(project_id)
    return {
        "project_id": project_id,
        "status": "started",
        "events": f"/api/projects/{project_id}/events",
    }


TERMINAL = ("run.finished", "run.refused", "run.crashed")


@router.get("/{project_id}/events")
async def events(
    project_id: str, request: Request, after: int = 0, follow: bool = True
) -> StreamingResponse:
    """Server-sent events of the project's runs: replayed from ``after``, then followed until
    a run ends (or, with ``follow=false``, only what is there now)."""
    log = request.app.state.events
    jobs = request.app.state.jobs

    async def stream() -> AsyncIterator[str]:
        last = after
        while True:
            found = await to_thread.run_sync(log.wait, project_id, last, 1.0)
            for event in found:
                last = event["id"]
                yield f"id: {last}\nevent: {event['kind']}\ndata: {json.dumps(event)}\n\n"
            if found and found[-1]["kind"] in TERMINAL and not jobs.running(project_id):
                return
            if not found and (not follow or await request.is_disconnected()):
                return
            if not found:
                yield ": keep-alive\n\n"

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
