"""The runner seam: one small ABC, one class per isolation kind, registered by name.

A ``Runner`` is bound to one work directory (the only place the sandboxed code may write) and
one logs directory outside it (where full stdout/stderr land, out of the code's reach).
``exec`` validates the command (headless only, cwd inside the work dir) and hands it to the
kind's ``_exec``. Third-party kinds register with ``@register_runner``, like the built-ins.
"""

from __future__ import annotations

import itertools
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from researchos.errors import InputError, SandboxError
from researchos.files import safe_relative, write_atomic
from researchos.sandbox.headless import check_headless
from researchos.sandbox.limits import Limits
from researchos.sandbox.result import ExecResult
from researchos.sandbox.runtime import PythonRuntime, host_runtime
from researchos.settings import DEFAULT_INTERACTIVE_BINARIES

CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class Availability:
    """Whether a runner kind works on this machine, and why not."""

    kind: str
    available: bool
    reason: str
    isolation: str
    details: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "available": self.available,
            "reason": self.reason,
            "isolation": self.isolation,
            "details": self.details,
        }


@dataclass(frozen=True)
class RunnerOptions:
    """What a runner needs from the installation's settings."""

    interactive_binaries: tuple[str, ...] = tuple(DEFAULT_INTERACTIVE_BINARIES)
    docker_image: str = "python:3.11-slim"
    allow_unisolated: bool = False


class Runner(ABC):
    """Executes commands in one work directory under one isolation kind."""

    kind: ClassVar[str]
    isolation: ClassVar[str]
    sandbox_workdir: str

    def __init__(
        self,
        workdir: Path,
        *,
        logs_dir: Path | None = None,
        runtime: PythonRuntime | None = None,
        options: RunnerOptions | None = None,
        extra_mounts: Iterable[Path] = (),
    ) -> None:
        self.workdir = workdir
        self.logs_dir = logs_dir or workdir.parent / f"{workdir.name}-logs"
        self.runtime = runtime or host_runtime()
        self.options = options or RunnerOptions()
        self.extra_mounts = tuple(extra_mounts)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        workdir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(parents=True, exist_ok=True)

    @classmethod
    @abstractmethod
    def probe(cls) -> Availability:
        """Whether this kind can run here (cheap: called by `sandbox check` and `auto`)."""

    def exec(
        self,
        cmd: Sequence[str],
        *,
        cwd: str = ".",
        env: Mapping[str, str] | None = None,
        limits: Limits | None = None,
        stdin: bytes | str | None = None,
        cancel: CancelCheck | threading.Event | None = None,
        log_prefix: str | None = None,
    ) -> ExecResult:
        """Run ``cmd`` with ``cwd`` relative to the work dir; never raises for a failing run."""
        argv = [str(part) for part in cmd]
        if not argv:
            raise InputError("empty command", field="command", fix="give a program to run")
        check_headless(argv, self.options.interactive_binaries)
        if cwd not in ("", "."):
            safe_relative(self.workdir, cwd, field="cwd")
        prefix = self._log_prefix(log_prefix)
        logs = (self.logs_dir / f"{prefix}stdout.log", self.logs_dir / f"{prefix}stderr.log")
        stdin_path = None
        if stdin is not None:
            stdin_path = self.logs_dir / f"{prefix}stdin"
            write_atomic(stdin_path, stdin, fsync=False)
        check = cancel.is_set if isinstance(cancel, threading.Event) else cancel
        return self._exec(
            argv,
            cwd=cwd,
            env=dict(env or {}),
            limits=limits or Limits(),
            stdin_path=stdin_path,
            logs=logs,
            cancel=check,
        )

    def _log_prefix(self, prefix: str | None) -> str:
        if prefix is not None:
            return prefix
        with self._lock:
            return f"exec-{next(self._counter):03d}."

    @abstractmethod
    def _exec(
        self,
        argv: list[str],
        *,
        cwd: str,
        env: dict[str, str],
        limits: Limits,
        stdin_path: Path | None,
        logs: tuple[Path, Path],
        cancel: CancelCheck | None,
    ) -> ExecResult: ...

    def write_file(self, path: str, data: bytes | str) -> Path:
        """Write a file into the work dir (refuses absolute paths, ``..`` and symlink escapes)."""
        target = safe_relative(self.workdir, path, field="path")
        write_atomic(target, data, fsync=False)
        return target

    def read_file(self, path: str, *, max_bytes: int = 64 << 20) -> bytes:
        """Read a file the run wrote; a symlink is never followed out of the work dir."""
        target = safe_relative(self.workdir, path, field="path")
        if target.is_symlink() or not target.is_file():
            raise InputError("is not a regular file in the work dir", file=path)
        if target.stat().st_size > max_bytes:
            raise InputError(
                f"is larger than {max_bytes} bytes", file=path, fix="read it from disk instead"
            )
        return target.read_bytes()

    def sandbox_env(self, env: Mapping[str, str], limits: Limits, cwd: str) -> dict[str, str]:
        """The complete environment of a sandboxed process: nothing leaks in from the host."""
        threads = str(limits.threads_hint)
        path = [str(d) for d in self.runtime.bin_dirs] + ["/usr/local/bin", "/usr/bin", "/bin"]
        base = {
            "PATH": ":".join(path),
            "HOME": "/tmp",
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "OMP_NUM_THREADS": threads,
            "OPENBLAS_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads,
            "RESEARCHOS_OUTPUT_DIR": self.sandbox_workdir,
            "RESEARCHOS_SANDBOX": self.kind,
        }
        return {**base, **env}


RUNNERS: dict[str, type[Runner]] = {}


def register_runner(cls: type[Runner]) -> type[Runner]:
    """Class decorator: make a runner kind selectable by name."""
    if cls.kind in RUNNERS and RUNNERS[cls.kind] is not cls:
        raise SandboxError(f"runner kind {cls.kind!r} is registered twice")
    RUNNERS[cls.kind] = cls
    return cls
