"""The stage registry: each pipeline stage is a function registered with ``@stage``.

A stage reads and writes durable state only (the store and the project's ARA), so the engine
can run it again after a crash. Stages must be idempotent: re-running one that died half-way
may find some of its own output already there and must converge to the same result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from researchos.errors import ConfigError

if TYPE_CHECKING:
    from researchos.app import App
    from researchos.store.projects import Project

GATES = ("post_shortlist", "post_pilot_evidence", "pre_package_freeze")


@dataclass
class StageContext:
    """What a stage may use: the app's parts, its project, and a progress callback."""

    app: App
    project: Project
    progress: Callable[[str, float | None], None] = field(default=lambda message, done: None)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.project.ara_slug

    def report(self, message: str, done: float | None = None) -> None:
        self.progress(message, done)


StageFunc = Callable[[StageContext], dict[str, Any]]


@dataclass(frozen=True)
class StageDef:
    name: str
    order: int
    func: StageFunc
    gate_after: str | None = None
    description: str = ""


_REGISTRY: dict[str, StageDef] = {}


def stage(
    name: str, *, order: int, gate_after: str | None = None
) -> Callable[[StageFunc], StageFunc]:
    """Register a stage; ``gate_after`` names the human gate that follows it, if any."""
    if gate_after is not None and gate_after not in GATES:
        raise ConfigError(f"unknown gate {gate_after!r}; gates are {', '.join(GATES)}")

    def register(func: StageFunc) -> StageFunc:
        _REGISTRY[name] = StageDef(
            name=name,
            order=order,
            func=func,
            gate_after=gate_after,
            description=(func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else "",
        )
        return func

    return register


def ordered_stages() -> list[StageDef]:
    _load_builtin_stages()
    return sorted(_REGISTRY.values(), key=lambda s: s.order)


def get_stage(name: str) -> StageDef:
    _load_builtin_stages()
    if name not in _REGISTRY:
        raise ConfigError(
            f"unknown stage {name!r}",
            fix=f"stages are: {', '.join(s.name for s in ordered_stages())}",
        )
    return _REGISTRY[name]


BUILTIN_STAGE_MODULES: tuple[str, ...] = (
    "researchos.pipeline.stage_ideas",
    "researchos.pipeline.stage_funnel",
    "researchos.pipeline.stage_specs",
    "researchos.pipeline.stage_code",
    "researchos.pipeline.stage_report",
    "researchos.pipeline.stage_release",
)


def _load_builtin_stages() -> None:
    import importlib

    for module in BUILTIN_STAGE_MODULES:
        importlib.import_module(module)
