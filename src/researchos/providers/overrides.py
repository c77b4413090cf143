"""Per-phase overrides: ``RESEARCHOS_MODEL_<PHASE>``, ``_REASONING_<PHASE>``, ``_TEMP_<PHASE>``.

The settings capture the raw variables (their names are open-ended); this module checks
each one against the known phases and value ranges, and names the variable when it is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from researchos.errors import ConfigError
from researchos.providers.catalog import EFFORTS
from researchos.providers.phases import PHASES
from researchos.settings import ENV_PREFIX


@dataclass(frozen=True)
class PhaseOverride:
    model: str | None = None
    reasoning: str | None = None
    temperature: float | None = None
    variables: dict[str, str] = field(default_factory=dict)  # what -> variable name


def parse_overrides(raw: Mapping[str, str]) -> dict[str, PhaseOverride]:
    """``{"MODEL_DRAFTING": "gpt-5"}`` -> ``{"drafting": PhaseOverride(model="gpt-5")}``."""
    found: dict[str, dict[str, object]] = {}
    for key, value in sorted(raw.items()):
        kind, _, phase_upper = key.partition("_")
        variable = ENV_PREFIX + key
        phase = phase_upper.lower()
        if phase not in PHASES:
            raise ConfigError(
                f"{variable} names no phase ({phase_upper!r}); valid phases: "
                f"{', '.join(p.upper() for p in PHASES)}",
                fix=f"rename or unset {variable}",
            )
        entry = found.setdefault(phase, {"variables": {}})
        what, parsed = _parse_value(kind, value, variable)
        entry[what] = parsed
        entry["variables"][what] = variable  # type: ignore[index]
    return {phase: PhaseOverride(**values) for phase, values in found.items()}  # type: ignore[arg-type]


def _parse_value(kind: str, value: str, variable: str) -> tuple[str, object]:
    value = value.strip()
    if kind == "MODEL":
        if not value:
            raise ConfigError(f"{variable} is empty", fix=f"set a model id or unset {variable}")
        return "model", value
    if kind == "REASONING":
        if value.lower() not in EFFORTS:
            raise ConfigError(
                f"{variable}={value!r} is not a reasoning effort",
                fix=f"use one of {', '.join(EFFORTS)}",
            )
        return "reasoning", value.lower()
    try:
        temperature = float(value)
    except ValueError:
        temperature = -1.0
    if not 0.0 <= temperature <= 2.0:
        raise ConfigError(f"{variable}={value!r} is not a temperature", fix="use 0.0 to 2.0")
    return "temperature", temperature
