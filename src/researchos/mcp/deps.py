"""What every tool needs: the app, where repositories may be read, and the error mapping.

Errors are mapped here, once: a ResearchOSError becomes an MCP tool error (``is_error`` with the
error's JSON as text) that names the field and the fix; anything else is left to the SDK,
which answers ``Error executing tool <name>`` and logs the traceback, so the server never
crashes and never leaks internals to the client.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from mcp.server.mcpserver.exceptions import ResourceError, ToolError

from researchos.errors import InputError, ResearchOSError
from researchos.files import safe_relative

if TYPE_CHECKING:
    from researchos.app import App

P = ParamSpec("P")
R = TypeVar("R")
SANDBOX_WORK = "/sandbox/work"


@dataclass(frozen=True)
class ToolDeps:
    """Bound into every tool at registration.

    ``tag`` marks every run started through this server (a matrix cell); ``repo_root``
    confines repository paths to one directory (a cell's work dir, seen by the sandboxed agent
    as ``/sandbox/work``) and is the default repository.
    """

    app: App
    tag: str | None = None
    repo_root: Path | None = None

    def repo(self, value: str | None) -> Path | None:
        """The host directory an agent-given repository path means."""
        if self.repo_root is not None:
            return self._confined(value)
        if value is None or not value.strip():
            return None
        path = Path(value).expanduser()
        if not path.is_dir():
            raise InputError(
                "is not a directory on the server's machine",
                field="repo",
                fix="pass the absolute path of the repository",
            )
        return path.resolve()

    def _confined(self, value: str | None) -> Path:
        assert self.repo_root is not None
        text = (value or "").strip()
        if text in ("", ".", SANDBOX_WORK, SANDBOX_WORK + "/"):
            return self.repo_root
        if text.startswith(SANDBOX_WORK + "/"):
            text = text[len(SANDBOX_WORK) + 1 :]
        return safe_relative(self.repo_root, text, field="repo")


def error_text(exc: ResearchOSError) -> str:
    return json.dumps(exc.to_dict(), sort_keys=True)


def tool_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """ResearchOSError -> ToolError (``is_error`` on the wire), with the error's JSON."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ResearchOSError as exc:
            raise ToolError(error_text(exc)) from None

    return wrapper


def resource_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """ResearchOSError -> ResourceError (a JSON-RPC error naming the problem)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ResearchOSError as exc:
            raise ResourceError(error_text(exc)) from None

    return wrapper


def as_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str)
