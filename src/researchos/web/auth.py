"""Who may change things: the workspace token (header or session cookie) guards mutations."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from researchos.errors import PermissionDenied
from researchos.workspace.setup import read_token

TOKEN_HEADER = "x-researchos-token"
SESSION_COOKIE = "researchos_session"


def presented_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get(TOKEN_HEADER) or request.cookies.get(SESSION_COOKIE)


def require_token(request: Request) -> None:
    """Dependency for every mutating route."""
    expected = read_token(request.app.state.ros.workspace)
    given = presented_token(request)
    if not given or not hmac.compare_digest(given, expected):
        raise PermissionDenied(
            "this action needs the workspace token",
            fix="send `Authorization: Bearer <token>` (the token is in var/token of the workspace)",
        )


Authorised = Annotated[None, Depends(require_token)]
