"""The FastAPI application: ``create_api(app)`` mounts every route on one App.

Routes are thin shells over the functions the CLI uses. Errors are mapped once, here:
a ResearchOSError becomes ``{"error", "status", "message", "fix", ...}`` with its status
under /api, and an error page in the web console (web/console) everywhere else.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from researchos import __version__
from researchos.errors import InputError, ResearchOSError
from researchos.web import (
    console,
    routes_approvals,
    routes_aras,
    routes_landscape,
    routes_projects,
)
from researchos.web.events import EventLog
from researchos.web.jobs import Jobs


def create_api(app, *, trusted_hosts: tuple[str, ...] | None = None) -> FastAPI:
    """``trusted_hosts``: the only Host names served (``researchos serve`` passes the
    loopback names unless --allow-remote); None serves any."""
    api = FastAPI(
        title="ResearchOS",
        version=__version__,
        description="Local-first research operating system: projects, ARAs, "
        "approvals. Mutations need the workspace token.",
    )
    api.state.ros = app
    api.state.events = EventLog()
    api.state.jobs = Jobs(app, api.state.events)

    @api.exception_handler(ResearchOSError)
    async def _domain_error(request: Request, exc: ResearchOSError) -> Response:
        if console.is_console(request):
            return console.error_page(request, exc)
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    @api.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        if console.is_console(request):
            problem = InputError(str(first.get("msg", "invalid request")), field=field)
            return console.error_page(request, problem)
        return JSONResponse(
            {
                "error": "InputError",
                "status": 422,
                "field": field,
                "message": f"{field}: {first.get('msg', 'invalid request')}",
                "fix": "see the OpenAPI schema at /docs",
            },
            status_code=422,
        )

    @api.get("/api/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__, "run_mode": app.run_mode}

    api.include_router(routes_projects.router)
    api.include_router(routes_approvals.router)
    api.include_router(routes_aras.router)
    api.include_router(routes_landscape.router)
    console.mount(api, trusted_hosts=trusted_hosts)
    return api
