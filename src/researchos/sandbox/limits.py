"""Resource limits of one run: defaults from settings, overridable per spec and per run.

Sizes are bytes; a human form (``512m``, ``8g``) is accepted wherever a limit is read from
text (settings, spec files, the CLI). ``cpu_time`` left unset means wall time x CPUs, the most
CPU a run could use in its wall time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from researchos.errors import InputError

LimitName = Literal["wall_time", "cpu_time", "memory", "processes", "file_size", "output_size"]
LIMIT_NAMES: tuple[LimitName, ...] = (
    "wall_time",
    "cpu_time",
    "memory",
    "processes",
    "file_size",
    "output_size",
)

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_SIZE_FIELDS = ("memory", "file_size", "output_size")


def parse_size(value: str | int | float, *, field: str = "size") -> int:
    """``"512m"`` -> 536870912; plain numbers are bytes."""
    if isinstance(value, bool):
        raise InputError(f"{value!r} is not a size", field=field, fix="write e.g. 512m or 8g")
    if isinstance(value, int | float):
        return int(value)
    match = _SIZE.match(value)
    if not match:
        raise InputError(f"{value!r} is not a size", field=field, fix="write e.g. 512m or 8g")
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit.lower()])


def format_size(value: int) -> str:
    for unit in ("t", "g", "m", "k"):
        if value >= _UNITS[unit] and value % _UNITS[unit] == 0:
            return f"{value // _UNITS[unit]}{unit}"
    return str(value)


@dataclass(frozen=True)
class Limits:
    """What one run may use. Every runner enforces all of them (see docs/sandbox.md)."""

    wall_time: float = 3600.0
    cpu_time: float | None = None
    memory: int = 8 << 30
    cpus: float = 4.0
    processes: int = 256
    file_size: int = 1 << 30
    output_size: int = 2 << 30

    @property
    def effective_cpu_time(self) -> int:
        """Seconds of CPU (whole seconds: RLIMIT_CPU has no finer grain)."""
        if self.cpu_time is not None:
            return max(1, math.ceil(self.cpu_time))
        return max(1, math.ceil(self.wall_time * max(self.cpus, 1.0)))

    @property
    def threads_hint(self) -> int:
        """Thread count suggested to BLAS/OpenMP so numeric code stays within ``cpus``."""
        return max(1, math.floor(self.cpus))

    def override(self, changes: Mapping[str, Any] | None = None, **more: Any) -> Limits:
        """A copy with some limits replaced; unknown names and bad values are InputErrors."""
        merged = {**(changes or {}), **more}
        known = {f.name for f in fields(self)}
        clean: dict[str, Any] = {}
        for name, value in merged.items():
            if value is None and name != "cpu_time":
                continue
            if name not in known:
                raise InputError(
                    f"unknown limit {name!r}",
                    field=f"limits.{name}",
                    fix=f"use one of {', '.join(sorted(known))}",
                )
            clean[name] = _coerce(name, value)
        return replace(self, **clean)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "effective_cpu_time": self.effective_cpu_time}


def _coerce(name: str, value: Any) -> Any:
    if name in _SIZE_FIELDS:
        size = parse_size(value, field=f"limits.{name}")
    elif name == "processes":
        size = int(value)
    elif value is None:
        return None
    else:
        size = float(value)  # type: ignore[assignment]
    if size <= 0:
        raise InputError(
            f"{value!r} must be positive", field=f"limits.{name}", fix="give a value above 0"
        )
    return size


def limits_from_settings(settings: Any) -> Limits:
    """The default limits of this installation (RESEARCHOS_SANDBOX_*)."""
    return Limits().override(
        wall_time=settings.sandbox_timeout,
        cpu_time=settings.sandbox_cpu_time,
        memory=settings.sandbox_memory,
        cpus=settings.sandbox_cpus,
        processes=settings.sandbox_processes,
        file_size=settings.sandbox_file_size,
        output_size=settings.sandbox_output_size,
    )
