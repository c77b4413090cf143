"""Every error ResearchOS raises on purpose.

Each class carries an HTTP-like ``status`` so the CLI, the REST API and the MCP server can
map errors in one place each. Third-party errors are wrapped once, where they enter (an
adapter, the store, the git layer), never re-wrapped further up.

    ResearchOSError (500)            root; an unexpected internal failure
    ├── ConfigError (400)            a setting, policy file or environment variable is wrong
    ├── InputError (422)             user-supplied content is invalid (names file, field, fix)
    │   └── UnsafeInput (422)        content was refused for safety (archive, path, transcript)
    ├── NotFound (404)               a named ARA, claim, run, project... does not exist
    ├── Conflict (409)               clashes with current state (duplicate, pending gate)
    ├── PermissionDenied (403)       the actor may not do this (token, read-only, headless)
    ├── BudgetExceeded (402)         a run would exceed the project's budget
    ├── WorkspaceError (500)         the workspace on disk is broken (not a git repo, corrupt)
    ├── ProviderError (502)          a model provider failed; carries a validation category
    └── SandboxError (500)           the sandbox could not start or enforce its limits
"""

from __future__ import annotations


class ResearchOSError(Exception):
    """Root of every deliberate ResearchOS error."""

    status = 500

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        if self.fix:
            return f"{self.message} (fix: {self.fix})"
        return self.message

    def to_dict(self) -> dict[str, object]:
        """A JSON-safe description for API and MCP responses."""
        return {
            "error": type(self).__name__,
            "status": self.status,
            "message": self.message,
            "fix": self.fix,
        }


class ConfigError(ResearchOSError):
    """A setting, policy file or environment variable is missing or wrong."""

    status = 400


class InputError(ResearchOSError):
    """User-supplied content is invalid; the message names the file, the field and the fix."""

    status = 422

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        where = ": ".join(part for part in (file, field) if part)
        super().__init__(f"{where}: {problem}" if where else problem, fix=fix)
        self.file = file
        self.field = field
        self.problem = problem

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "file": self.file, "field": self.field}


class UnsafeInput(InputError):
    """Content was refused for safety: an escaping path, a hostile archive, a bad link."""


class NotFound(ResearchOSError):
    """A named object (ARA, claim, run, project, page...) does not exist."""

    status = 404


class Conflict(ResearchOSError):
    """The request clashes with the current state (a duplicate id, a pending approval)."""

    status = 409


class PermissionDenied(ResearchOSError):
    """The actor may not do this (missing token, read-only file, interactive binary)."""

    status = 403


class BudgetExceeded(ResearchOSError):
    """Starting this work would exceed the remaining budget."""

    status = 402


class WorkspaceError(ResearchOSError):
    """The workspace on disk is not usable (not a git repository, corrupt state)."""

    status = 500


class ProviderError(ResearchOSError):
    """A model provider call failed; ``category`` is one of the validation categories."""

    status = 502

    def __init__(
        self,
        message: str,
        *,
        category: str = "provider_error",
        fix: str | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, fix=fix)
        self.category = category
        self.retryable = retryable
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "category": self.category}


class SandboxError(ResearchOSError):
    """The sandbox could not start, or could not enforce what it promised."""

    status = 500
