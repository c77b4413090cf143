"""A project's tabs: ideas and funnel, specs, runs with logs, claims, draft, review issues."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import PlainTextResponse, Response

from researchos.drafts import check_file
from researchos.errors import NotFound
from researchos.files import iter_files, safe_relative
from researchos.pipeline import issues
from researchos.store import projects as store
from researchos.store import research
from researchos.web.console.ara_view import figures
from researchos.web.console.markup import ara_links, render_markdown
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.deps import Ros

router = APIRouter(prefix="/projects/{project_id}", include_in_schema=False)
LOG_CHUNK = 256 << 10
FUNNEL_STAGES = ("S0", "S1", "S2", "S3", "S4")


def _project(ros: Any, project_id: str) -> Any:
    with ros.database.session() as session:
        return store.get_project(session, project_id=project_id)


def _tab(request: Request, tab: str, project: Any, **context: Any) -> Response:
    running = request.app.state.jobs.running(project.id)
    return render(
        request,
        f"project_{tab}.html",
        section="projects",
        tab=tab,
        project=project,
        running=running,
        **context,
    )


@router.get("/ideas")
def ideas(project_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    project = _project(ros, project_id)
    with ros.database.session() as session:
        found = research.list_ideas(session, project_id=project_id)
        log = research.funnel_log(session, project_id=project_id)
    counts = {
        stage: sum(1 for i in found if _reached(i.stage_reached, stage)) for stage in FUNNEL_STAGES
    }
    return _tab(request, "ideas", project, ideas=found, funnel=log, counts=counts)


def _reached(reached: str, stage: str) -> bool:
    order = {name: i for i, name in enumerate(FUNNEL_STAGES)}
    return order.get(reached, -1) >= order[stage]


@router.get("/specs")
def specs(project_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    project = _project(ros, project_id)
    with ros.database.session() as session:
        found = research.list_specs(session, project_id=project_id)
    return _tab(request, "specs", project, specs=found)


@router.get("/runs")
def runs(project_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    project = _project(ros, project_id)
    with ros.database.session() as session:
        found = research.list_runs(session, project_id=project_id)
    return _tab(request, "runs", project, runs=found)


def _run_dir(ros: Any, project_id: str, run_id: str) -> tuple[list[Any], Path]:
    with ros.database.session() as session:
        rows = [r for r in research.list_runs(session, project_id=project_id) if r.run_id == run_id]
    if not rows:
        raise NotFound(f"project {project_id!r} has no run {run_id!r}")
    return rows, safe_relative(ros.workspace.runs_dir, run_id, field="run_id")


@router.get("/runs/{run_id}")
def run_detail(project_id: str, run_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    project = _project(ros, project_id)
    rows, directory = _run_dir(ros, project_id, run_id)
    files = (
        [(p.relative_to(directory).as_posix(), p.stat().st_size) for p in iter_files(directory)]
        if directory.is_dir()
        else []
    )
    return _tab(request, "run", project, run_id=run_id, rows=rows, files=files)


@router.get("/runs/{run_id}/log/{path:path}")
def run_log(
    project_id: str, run_id: str, path: str, request: Request, ros: Ros, _: Viewer
) -> Response:
    project = _project(ros, project_id)
    directory = _run_dir(ros, project_id, run_id)[1]
    target = safe_relative(directory, path, field="path")
    text, end = _read_from(
        target, max(target.stat().st_size - LOG_CHUNK, 0) if target.is_file() else 0
    )
    return _tab(request, "log", project, run_id=run_id, path=path, text=text, offset=end)


@router.get("/runs/{run_id}/tail/{path:path}")
def run_log_tail(
    project_id: str, run_id: str, path: str, ros: Ros, _: Viewer, offset: int = 0
) -> Response:
    """New log text from ``offset`` (the page's script follows a growing log with this)."""
    directory = _run_dir(ros, project_id, run_id)[1]
    text, end = _read_from(safe_relative(directory, path, field="path"), max(offset, 0))
    return PlainTextResponse(text, headers={"x-next-offset": str(end)})


def _read_from(target: Path, offset: int) -> tuple[str, int]:
    if not target.is_file():
        return "", offset
    with target.open("rb") as handle:
        handle.seek(offset)
        data = handle.read(LOG_CHUNK)
    return data.decode("utf-8", errors="replace"), offset + len(data)


@router.get("/claims")
def claims(project_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    project = _project(ros, project_id)
    found = ros.aras.claims(project.ara_slug)
    return _tab(request, "claims", project, claims=found, figures=figures(ros, project.ara_slug))


@router.get("/draft")
def draft(project_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    project = _project(ros, project_id)
    paper = ros.aras.paths(project.ara_slug).views_dir / "paper.md"
    html, alignment = None, []
    if paper.is_file():
        ids = [c.id for c in ros.aras.claims(project.ara_slug)]
        html = render_markdown(paper.read_text("utf-8"), ara_links(project.ara_slug, ids))
        alignment = check_file(ros.aras, project.ara_slug)
    return _tab(request, "draft", project, html=html, alignment=alignment)


@router.get("/review")
def review(project_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    project = _project(ros, project_id)
    found = issues.list_issues(ros, project_id=project_id)
    blockers = issues.freeze_blockers(ros, project_id=project_id)
    return _tab(request, "review", project, issues=found, blockers=blockers)


@router.post("/review/{issue_id}")
def change_issue(
    project_id: str,
    issue_id: str,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    status: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    issues.change(
        ros, project_id=project_id, issue_id=issue_id, status=status, reason=reason or None
    )
    return redirect(f"/projects/{project_id}/review", "issue")
