"""Login, logout and the dashboard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from researchos.store import approvals as approval_store
from researchos.store import projects as project_store
from researchos.store import research
from researchos.web.auth import token_matches, workspace_token
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import (
    CsrfChecked,
    Viewer,
    end_session,
    has_session,
    safe_next,
    start_session,
)
from researchos.web.deps import Ros

router = APIRouter(include_in_schema=False)
RECENT_RUNS = 12


@router.get("/login")
def login_page(request: Request, token: str | None = None, next: str | None = None) -> Response:
    """The login form; ``?token=<one-time code>`` (printed by `researchos serve`) logs in."""
    if token is not None:
        if request.app.state.login_links.redeem(token):
            response = RedirectResponse(safe_next(next), status_code=303)
            start_session(response, workspace_token(request))
            return response
        return render(
            request,
            "login.html",
            logged_in=False,
            next=safe_next(next),
            expired=True,
            status_code=403,
        )
    if has_session(request):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", logged_in=False, next=safe_next(next))


@router.post("/login")
def login(
    request: Request,
    _: CsrfChecked,
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not token_matches(request, token.strip()):
        return render(
            request,
            "login.html",
            logged_in=False,
            next=safe_next(next),
            wrong=True,
            status_code=403,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    start_session(response, token.strip())
    return response


@router.post("/logout")
def logout(_: CsrfChecked) -> Response:
    response = redirect("/login", "logged_out")
    end_session(response)
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, ros: Ros, _: Viewer) -> Response:
    jobs = request.app.state.jobs
    with ros.database.session() as session:
        projects = project_store.list_projects(session)
        pending = approval_store.list_approvals(session, status="pending")
        runs = _recent_runs(session, [p.id for p in projects])
    return render(
        request,
        "dashboard.html",
        section="dashboard",
        projects=projects,
        running={p.id for p in projects if jobs.running(p.id)},
        approvals=pending,
        runs=runs,
    )


def _recent_runs(session: Any, project_ids: list[str]) -> list[tuple[str, Any]]:
    found = [
        (project_id, run)
        for project_id in project_ids
        for run in research.list_runs(session, project_id=project_id)[-RECENT_RUNS:]
    ]
    return sorted(found, key=lambda pair: pair[1].at, reverse=True)[:RECENT_RUNS]
