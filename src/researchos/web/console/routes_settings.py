"""Settings → Providers: endpoints and where their keys come from, a key added or replaced in a
modal (stored encrypted by the secret store, never shown again), a credential test with its
category and headline, and the effective model policy.

The key travels once, in the POST body of the modal's form; the response is a redirect, so
no page, cookie or browser storage ever holds it. Test results are kept in server memory
(the latest per provider) to show after the redirect.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from researchos.cli.policy import effective_table
from researchos.errors import InputError
from researchos.providers.endpoints import endpoint_named
from researchos.providers.validation import (
    ProviderValidationResult,
    check_provider,
    credential_test_model,
)
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.deps import Ros

router = APIRouter(prefix="/settings", include_in_schema=False)


@dataclass(frozen=True)
class Checked:
    result: ProviderValidationResult
    at: float


class Checks:
    """The latest credential test per provider, for the page after the redirect."""

    def __init__(self) -> None:
        self._latest: dict[str, Checked] = {}
        self._lock = threading.Lock()

    def put(self, name: str, result: ProviderValidationResult) -> None:
        with self._lock:
            self._latest[name] = Checked(result, time.time())

    def get(self, name: str) -> Checked | None:
        with self._lock:
            return self._latest.get(name)


def _checks(request: Request) -> Checks:
    state = request.app.state
    if not hasattr(state, "provider_checks"):
        state.provider_checks = Checks()
    return state.provider_checks


def _providers(ros: Any, request: Request) -> list[dict[str, Any]]:
    router_, stored = ros.router, {s.name: s for s in ros.secrets.list()}
    rows = []
    for endpoint in router_.endpoints.values():
        key = endpoint.key_name
        rows.append(
            {
                "endpoint": endpoint,
                "source": router_.keys.source(key) if key else "not needed",
                "stored": stored.get(key) if key else None,
                "test_model": credential_test_model(router_, endpoint.name),
                "routed": endpoint.name in router_.inputs.available,
                "check": _checks(request).get(endpoint.name),
            }
        )
    return rows


@router.get("/providers")
def providers(request: Request, ros: Ros, _: Viewer) -> Response:
    return render(
        request,
        "settings_providers.html",
        section="settings",
        providers=_providers(ros, request),
        policy=effective_table(ros.router),
    )


@router.post("/providers/{name}/key")
def store_key(
    name: str,
    request: Request,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    value: Annotated[str, Form()] = "",
    test: Annotated[bool, Form()] = False,
) -> Response:
    endpoint = endpoint_named(ros.router.endpoints, name)
    if not endpoint.key_name:
        raise InputError(f"provider {name!r} needs no key", field="name")
    ros.secrets.set(endpoint.key_name, value)
    ros.router.keys.forget(endpoint.key_name)
    if test:
        _checks(request).put(name, check_provider(ros.router, name))
    return redirect(f"/settings/providers#provider-{name}", "key_stored")


@router.post("/providers/{name}/test")
def test_provider(name: str, request: Request, ros: Ros, _: Viewer, __: CsrfChecked) -> Response:
    _checks(request).put(name, check_provider(ros.router, name))
    return redirect(f"/settings/providers#provider-{name}", "tested")
