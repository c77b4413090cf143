"""The pre-registered specs an ARA keeps under ``code/specs/*.yaml`` (what L3 reads of them).

Read leniently: a spec of a built-in kit (``KitSpec``), the pipeline's registration document
(``{format_version, sha256, spec: KitSpec}``) or any YAML mapping with ``seeds``,
``tolerance: {relative, absolute}`` and ``budget_cpu_seconds``. Unreadable specs are findings,
not exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from researchos.errors import InputError
from researchos.files import load_yaml, parse_yaml
from researchos.seal.numbers import Tolerance


@dataclass(frozen=True)
class SpecInfo:
    path: str  # relative to the ARA root
    seeds: tuple[int, ...]
    tolerance: Tolerance | None
    budget_cpu_seconds: float | None


def spec_from_data(path: str, data: Any) -> SpecInfo:
    if not isinstance(data, dict):
        raise InputError("a spec must be a YAML mapping", file=path)
    if isinstance(data.get("spec"), dict):  # the pipeline's registration document wraps it
        data = data["spec"]
    seeds = data.get("seeds", [])
    if not isinstance(seeds, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) for s in seeds
    ):
        raise InputError("seeds must be a list of integers", file=path, field="seeds")
    tolerance = None
    raw = data.get("tolerance")
    if isinstance(raw, dict):
        try:
            tolerance = Tolerance(float(raw.get("relative", 0.0)), float(raw.get("absolute", 0.0)))
        except (TypeError, ValueError):
            raise InputError("must be numbers", file=path, field="tolerance") from None
    budget = data.get("budget_cpu_seconds")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int | float)):
        raise InputError("must be a number of seconds", file=path, field="budget_cpu_seconds")
    return SpecInfo(path, tuple(seeds), tolerance, float(budget) if budget is not None else None)


def seeds_in_text(text: str, display: str) -> tuple[int, ...]:
    """The seeds of a spec given as text (a version read back from git)."""
    return spec_from_data(display, parse_yaml(text, display=display)).seeds


def load_specs(root: Path, specs_dir: str) -> tuple[list[SpecInfo], list[InputError]]:
    base = root / specs_dir
    specs: list[SpecInfo] = []
    errors: list[InputError] = []
    if not base.is_dir():
        return specs, errors
    for path in sorted([*base.glob("*.yaml"), *base.glob("*.yml")]):
        relative = path.relative_to(root).as_posix()
        try:
            specs.append(spec_from_data(relative, load_yaml(path, display=relative)))
        except InputError as exc:
            errors.append(exc)
    return specs, errors
