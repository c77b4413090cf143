"""``@mock_responder("phase")``: domain packages register how the mock answers a phase.

A responder is ``(request, rng) -> dict | BaseModel | str``: it builds a grounded answer from
``request.context`` (the distiller quotes real transcript spans, the analyser real numbers)
using ``rng`` for any choice, so the same input always gives the same answer.

Responders register when their module is imported. The mock imports the modules listed in
``RESPONDER_MODULES`` the first time it needs a responder, so a package that adds mock
answers adds its module to this one list.
"""

from __future__ import annotations

import importlib
import random
import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from researchos.errors import ConfigError
from researchos.providers.phases import get_phase
from researchos.providers.types import ModelRequest

# a responder may return None to fall back to the generic answer for the request
Responder = Callable[[ModelRequest, random.Random], "dict[str, Any] | BaseModel | str | None"]

# Modules that register mock responders on import. Later packages add themselves here.
RESPONDER_MODULES: list[str] = [
    "researchos.providers.mock.builtin",
    "researchos.pipeline.mock_answers",
]

_responders: dict[str, Responder] = {}
_loaded = False
_lock = threading.Lock()


def mock_responder(phase: str) -> Callable[[Responder], Responder]:
    """Register the decorated function as the mock's answer for ``phase``."""
    get_phase(phase)

    def register(function: Responder) -> Responder:
        current = _responders.get(phase)
        if current is not None and _name(current) != _name(function):
            raise ConfigError(
                f"two mock responders for phase {phase!r}: {_name(current)} and {_name(function)}",
                fix="keep one @mock_responder per phase",
            )
        _responders[phase] = function
        return function

    return register


def _name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def find_responder(phase: str) -> Responder | None:
    """The registered responder for ``phase``, importing RESPONDER_MODULES on first use."""
    global _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                for module in RESPONDER_MODULES:
                    importlib.import_module(module)
                _loaded = True
    return _responders.get(phase)


def registered() -> dict[str, str]:
    find_responder("credential_test")
    return {phase: _name(function) for phase, function in sorted(_responders.items())}


def unregister(phase: str) -> None:
    """Remove a responder (tests that register a temporary one)."""
    _responders.pop(phase, None)
