"""Console sessions: the workspace token becomes an HttpOnly cookie; every POST is CSRF-checked.

Two ways in: paste the token on /login, or open the one-time link ``researchos serve`` prints
(``/login?token=<code>``). The code is random, valid once and for ``LINK_TTL`` seconds, and
is not the workspace token, so the token itself never appears in a URL, a terminal log or
the browser history.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from researchos.errors import PermissionDenied
from researchos.web.auth import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    csrf_valid,
    token_matches,
)

LINK_TTL = 15 * 60


class LoginRequired(Exception):
    """Raised by a console route when the browser has no valid session; becomes a redirect."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class LoginLinks:
    """One-time login codes, held in memory only (a restart invalidates them)."""

    def __init__(self) -> None:
        self._codes: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self, ttl: float = LINK_TTL) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[_digest(code)] = time.monotonic() + ttl
        return code

    def redeem(self, code: str) -> bool:
        with self._lock:
            expiry = self._codes.pop(_digest(code), None)
        return expiry is not None and time.monotonic() < expiry


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def has_session(request: Request) -> bool:
    return token_matches(request, request.cookies.get(SESSION_COOKIE))


def require_session(request: Request) -> None:
    """Every console page: no valid session cookie -> redirect to the login page."""
    if not has_session(request):
        target = request.url.path
        if request.url.query and request.method == "GET":
            target += f"?{request.url.query}"
        raise LoginRequired(target)


async def require_csrf(request: Request) -> None:
    """Every console POST: the form field (or header) must carry this browser's CSRF token."""
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_valid(request, given):
        raise PermissionDenied(
            "the form has no valid CSRF token",
            fix="reload the page and submit the form again",
        )


Viewer = Annotated[None, Depends(require_session)]
CsrfChecked = Annotated[None, Depends(require_csrf)]


def safe_next(value: str | None) -> str:
    """Only same-site paths: ``/x`` yes; ``//evil``, ``/\\evil`` and URLs no."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    return value


def login_url(next_path: str) -> str:
    return "/login" if next_path in ("", "/") else f"/login?next={quote(next_path, safe='/')}"


def start_session(response: Response, token: str) -> None:
    """Set the session cookie and a fresh CSRF nonce (a new login gets new form tokens)."""
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", path="/", secure=False
    )
    set_nonce(response, secrets.token_urlsafe(18))


def set_nonce(response: Response, nonce: str) -> None:
    response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=True, samesite="strict")
