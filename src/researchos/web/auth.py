"""Who may change things: the workspace token (header or session cookie) guards mutations.

The web console turns the token into an HttpOnly, SameSite=Strict session cookie. A cookie
is sent by the browser on its own, so a request authorised by the cookie alone must also
carry the CSRF token: HMAC(workspace token, a random per-browser nonce kept in a second
HttpOnly cookie). Pages put it in every form (``csrf_token``); scripts send it as the
``x-researchos-csrf`` header. Other sites on the same machine (another port is the same
"site" to a browser) can neither read the nonce nor compute the HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request

from researchos.errors import PermissionDenied
from researchos.workspace.setup import read_token

TOKEN_HEADER = "x-researchos-token"
SESSION_COOKIE = "researchos_session"
CSRF_COOKIE = "researchos_csrf"
CSRF_HEADER = "x-researchos-csrf"
CSRF_FIELD = "csrf_token"


def presented_token(request: Request) -> tuple[str | None, str]:
    """The token the request carries and where it came from (header, cookie or none)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), "header"
    if request.headers.get(TOKEN_HEADER):
        return request.headers[TOKEN_HEADER], "header"
    if request.cookies.get(SESSION_COOKIE):
        return request.cookies[SESSION_COOKIE], "cookie"
    return None, "none"


def workspace_token(request: Request) -> str:
    return read_token(request.app.state.ros.workspace)


def token_matches(request: Request, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(str(given), workspace_token(request))


def csrf_nonce(request: Request) -> str | None:
    """The browser's nonce: its cookie, or the one the console shield just issued."""
    return request.cookies.get(CSRF_COOKIE) or request.scope.get("state", {}).get("csrf_nonce")


def csrf_token(request: Request) -> str:
    nonce = csrf_nonce(request)
    if not nonce:
        return ""
    key = workspace_token(request).encode()
    return hmac.new(key, b"researchos-csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def csrf_valid(request: Request, given: str | None) -> bool:
    expected = csrf_token(request)
    return bool(expected and given) and hmac.compare_digest(str(given), expected)


def require_token(request: Request) -> None:
    """Dependency for every mutating route."""
    given, source = presented_token(request)
    if not token_matches(request, given):
        raise PermissionDenied(
            "this action needs the workspace token",
            fix="send `Authorization: Bearer <token>` (the token is in var/token of the workspace)",
        )
    if source == "cookie" and not csrf_valid(request, request.headers.get(CSRF_HEADER)):
        raise PermissionDenied(
            "a request authorised by the session cookie needs the CSRF token",
            fix=f"send the {CSRF_HEADER} header, or use `Authorization: Bearer <token>`",
        )


Authorised = Annotated[None, Depends(require_token)]
