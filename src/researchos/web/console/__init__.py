"""The web console: server-rendered pages (Jinja2, a little of our own JavaScript) on the
same FastAPI app as the REST API, calling the same domain functions.

    mount(api, trusted_hosts=...)
                 adds the pages, /static, the security headers and Host check
                 (shield.py) and the one-time login links
                 (api.state.login_links.issue() -> code for /login?token=<code>)

Pages: dashboard (/), new project (/projects/new), project tabs (/projects/<id>/...),
approvals, ARA browser (/aras/...), landscape, knowledge (/knowledge), agent-run
matrices (/matrices), workspace metrics (/metrics), settings. See docs/console.md.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from researchos.errors import NotFound
from researchos.web.console import (
    routes_approvals,
    routes_aras,
    routes_home,
    routes_knowledge,
    routes_landscape,
    routes_matrices,
    routes_metrics,
    routes_packages,
    routes_project_tabs,
    routes_projects,
    routes_seal,
    routes_settings,
)
from researchos.web.console.background import Background
from researchos.web.console.pages import HERE, error_page
from researchos.web.console.session import LoginLinks, LoginRequired, login_url
from researchos.web.console.shield import Shield, area

__all__ = ["error_page", "is_console", "mount"]


def is_console(request: Request) -> bool:
    return area(request.url.path) == "console"


def mount(api: FastAPI, *, trusted_hosts: tuple[str, ...] | None = None) -> None:
    api.state.login_links = LoginLinks()
    api.state.background = Background()
    api.add_middleware(Shield, hosts=trusted_hosts)
    api.mount("/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @api.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @api.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_console(request) and exc.status_code in (404, 405):
            missing = NotFound(f"there is no page at {request.url.path}")
            missing.status = exc.status_code
            return error_page(request, missing)
        return await http_exception_handler(request, exc)

    for module in (
        routes_home,
        routes_projects,
        routes_project_tabs,
        routes_packages,
        routes_approvals,
        routes_seal,
        routes_aras,
        routes_landscape,
        routes_knowledge,
        routes_matrices,
        routes_metrics,
        routes_settings,
    ):
        api.include_router(module.router)
