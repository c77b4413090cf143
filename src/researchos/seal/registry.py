"""``@seal_check(level)``: the checks of Seal L1-L3, registered by decorator.

A check is a function ``(ctx: SealContext) -> Iterable[Finding]``. It registers when its
module is imported; ``CHECK_MODULES`` lists the built-in modules, and a plugin adds checks by
importing its module before sealing (or by appending it to ``CHECK_MODULES``). Checks of a
level run in registration order; a check may leave details for later checks and for the
review packet in ``ctx.details``.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

from researchos.errors import ConfigError

if TYPE_CHECKING:
    from researchos.seal.context import SealContext

Severity = Literal["error", "warning"]
LEVELS = {1: "structure", 2: "rigour", 3: "reproduction"}
CHECK_MODULES: list[str] = [
    "researchos.seal.l1_structure",
    "researchos.seal.l2_rigour",
    "researchos.seal.l2_chain",
    "researchos.seal.l3_reproduction",
]


@dataclass(frozen=True)
class Finding:
    """One problem a check found: where (file, field), what, and for diffs the two values."""

    check: str
    file: str
    field: str | None
    message: str
    severity: Severity = "error"
    expected: str | None = None
    actual: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        text = f"{where}: {self.message}"
        if self.expected is not None or self.actual is not None:
            text += f" (expected {self.expected}, actual {self.actual})"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{text} [{self.check}]"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


CheckFunction = Callable[["SealContext"], Iterable[Finding]]


@dataclass(frozen=True)
class SealCheck:
    name: str
    level: int
    description: str
    function: CheckFunction


_checks: dict[str, SealCheck] = {}
_loaded = False
_lock = threading.Lock()


def seal_check(level: int, *, name: str | None = None) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as a check of ``level`` (1, 2 or 3)."""
    if level not in LEVELS:
        raise ConfigError(f"seal level {level!r} does not exist; levels are 1, 2 and 3")

    def register(function: CheckFunction) -> CheckFunction:
        check_name = name or f"l{level}.{function.__name__}"
        current = _checks.get(check_name)
        if current is not None and current.function.__qualname__ != function.__qualname__:
            raise ConfigError(f"two seal checks are named {check_name!r}", fix="rename one")
        doc = (function.__doc__ or "").strip().splitlines()
        _checks[check_name] = SealCheck(check_name, level, doc[0] if doc else "", function)
        return function

    return register


def _load() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if not _loaded:
            for module in CHECK_MODULES:
                importlib.import_module(module)
            _loaded = True


def checks_for(level: int) -> list[SealCheck]:
    """The registered checks of ``level``, in registration order."""
    _load()
    return [check for check in _checks.values() if check.level == level]


def all_checks() -> list[SealCheck]:
    _load()
    return sorted(_checks.values(), key=lambda c: c.level)


def unregister(name: str) -> None:
    """Remove a check (tests that register a temporary one)."""
    _checks.pop(name, None)
