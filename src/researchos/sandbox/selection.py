"""Which runner a run gets: the requested kind, or with ``auto`` the strongest that works.

Preference is bwrap (namespaces, no daemon), then docker (a daemon must answer), then
process (unisolated, only when explicitly allowed). A kind that cannot run here is an error
that says why and what to install; the chosen kind is recorded with every run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from researchos.errors import ConfigError, PermissionDenied, SandboxError
from researchos.sandbox.base import RUNNERS, Availability, Runner, RunnerOptions
from researchos.sandbox.limits import Limits, limits_from_settings
from researchos.sandbox.process import UNISOLATED_FIX
from researchos.sandbox.runtime import PythonRuntime

PREFERENCE = ("bwrap", "docker", "process")


@dataclass(frozen=True)
class SandboxConfig:
    runner: str = "auto"
    limits: Limits = field(default_factory=Limits)
    options: RunnerOptions = field(default_factory=RunnerOptions)

    @classmethod
    def from_settings(cls, settings: Any) -> SandboxConfig:
        return cls(
            runner=settings.sandbox_runner,
            limits=limits_from_settings(settings),
            options=RunnerOptions(
                interactive_binaries=tuple(settings.interactive_binaries),
                docker_image=settings.sandbox_docker_image,
                allow_unisolated=settings.allow_unisolated,
            ),
        )


class Sandbox:
    """Picks and builds runners for this installation."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()

    @property
    def limits(self) -> Limits:
        return self.config.limits

    def check(self) -> list[Availability]:
        """Every registered kind, whether it works here, and why not."""
        kinds = [k for k in PREFERENCE if k in RUNNERS]
        kinds += sorted(k for k in RUNNERS if k not in PREFERENCE)
        return [RUNNERS[kind].probe() for kind in kinds]

    def resolve(self, kind: str | None = None) -> type[Runner]:
        wanted = kind or self.config.runner
        if wanted == "auto":
            return self._auto()
        if wanted not in RUNNERS:
            raise ConfigError(
                f"unknown sandbox runner {wanted!r}",
                fix=f"use auto or one of {', '.join(sorted(RUNNERS))}",
            )
        cls = RUNNERS[wanted]
        self._allowed(cls)
        availability = cls.probe()
        if not availability.available:
            raise SandboxError(
                f"the {wanted} runner cannot run here: {availability.reason}",
                fix="run `researchos sandbox check`, or choose --runner auto",
            )
        return cls

    def _allowed(self, cls: type[Runner]) -> None:
        if cls.isolation == "unisolated" and not self.config.options.allow_unisolated:
            raise PermissionDenied(
                f"the {cls.kind} runner is unisolated and not allowed", fix=UNISOLATED_FIX
            )

    def _auto(self) -> type[Runner]:
        reasons = []
        for kind in PREFERENCE:
            cls = RUNNERS[kind]
            availability = cls.probe()
            allowed = cls.isolation != "unisolated" or self.config.options.allow_unisolated
            if availability.available and allowed:
                return cls
            why = availability.reason if availability.available is False else "not allowed"
            reasons.append(f"{kind}: {why}")
        raise SandboxError(
            "no sandbox runner works here (" + "; ".join(reasons) + ")",
            fix="install bubblewrap (apt-get install bubblewrap), or "
            "set RESEARCHOS_ALLOW_UNISOLATED=1",
        )

    def runner(
        self,
        workdir: Path,
        *,
        logs_dir: Path | None = None,
        kind: str | None = None,
        runtime: PythonRuntime | None = None,
        extra_mounts: Iterable[Path] = (),
    ) -> Runner:
        cls = self.resolve(kind)
        return cls(
            workdir,
            logs_dir=logs_dir,
            runtime=runtime,
            options=self.config.options,
            extra_mounts=extra_mounts,
        )
