"""Security headers for every response, and a CSRF nonce for every browser that lacks one.

A pure ASGI middleware (not BaseHTTPMiddleware) so server-sent event streams pass through
untouched. Console pages get a Content-Security-Policy that allows only our own static
scripts and styles (no inline script, no inline style); API responses and ARA files get a
policy that runs nothing at all, so an HTML or SVG file inside an ARA cannot act as the
console when opened directly.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from researchos.web.auth import CSRF_COOKIE

CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
INERT_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
)
COMMON = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
}
# FastAPI's interactive docs load Swagger UI with inline script; they keep the common headers.
DOCS = ("/docs", "/redoc", "/openapi.json")


def area(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/static/"):
        return "static"
    if path.startswith(DOCS):
        return "docs"
    return "console"


def host_name(value: str) -> str:
    """The name part of a Host header: ``[::1]:8765`` -> ``::1``, ``a:80`` -> ``a``."""
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Shield:
    """``hosts``: when set, requests naming any other Host are refused (400). Bound to
    loopback, this stops DNS rebinding: a web page whose domain resolves to 127.0.0.1 still
    sends its own name as Host and cannot read the API through the victim's browser."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...] | None = None) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.hosts is not None:
            host = HTTPConnection(scope).headers.get("host", "")
            if host_name(host).lower() not in self.hosts:
                await PlainTextResponse("unknown host", status_code=400)(scope, receive, send)
                return
        where = area(scope["path"])
        nonce = None
        if where == "console" and CSRF_COOKIE not in HTTPConnection(scope).cookies:
            nonce = secrets.token_urlsafe(18)
            scope.setdefault("state", {})["csrf_nonce"] = nonce

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                _decorate(MutableHeaders(scope=message), where, nonce)
            await send(message)

        await self.app(scope, receive, send_guarded)


def _decorate(headers: MutableHeaders, where: str, nonce: str | None) -> None:
    for name, value in COMMON.items():
        headers[name] = value
    if where == "console":
        headers["content-security-policy"] = CONSOLE_CSP
        headers["cache-control"] = "no-store"
    elif where == "api":
        headers["content-security-policy"] = INERT_CSP
    # a login response sets its own fresh nonce; do not add a second one
    already = any(v.startswith(f"{CSRF_COOKIE}=") for v in headers.getlist("set-cookie"))
    if nonce and not already:
        headers.append("set-cookie", f"{CSRF_COOKIE}={nonce}; HttpOnly; Path=/; SameSite=strict")
