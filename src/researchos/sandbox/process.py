"""The ``process`` runner: resource limits only, no isolation. A last resort, loudly labelled.

The command runs on the host file system and network with rlimits (``prlimit``), its own
session and, when ResearchOS runs as root, a dedicated unprivileged uid (``setpriv``) so the
process limit holds and root-only files stay out of reach. It is refused unless
``RESEARCHOS_ALLOW_UNISOLATED=1``, and every result and record says ``unisolated``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import ClassVar

from researchos.errors import PermissionDenied, SandboxError
from researchos.sandbox.base import Availability, CancelCheck, Runner, register_runner
from researchos.sandbox.execution import Launch, watch
from researchos.sandbox.identity import hand_over, is_root, reachable_by_others, sandbox_uid
from researchos.sandbox.limits import Limits
from researchos.sandbox.result import ExecResult
from researchos.sandbox.tools import drop_argv, limit_argv, tool
from researchos.sandbox.verdict import to_result

UNISOLATED_FIX = "set RESEARCHOS_ALLOW_UNISOLATED=1 to accept it, or install bubblewrap"


@register_runner
class ProcessRunner(Runner):
    kind = "process"
    isolation: ClassVar[str] = "unisolated"

    @property
    def sandbox_workdir(self) -> str:  # type: ignore[override]
        return str(self.workdir)

    @classmethod
    def probe(cls) -> Availability:
        needed = ("prlimit", "setpriv") if is_root() else ("prlimit",)
        missing = [name for name in needed if tool(name) is None]
        if missing:
            return Availability(
                cls.kind,
                False,
                f"{', '.join(missing)} not found (install util-linux)",
                cls.isolation,
            )
        return Availability(
            cls.kind,
            True,
            "works, but only limits resources: no file system or network isolation",
            cls.isolation,
            {"user": "root (drops to a dedicated uid per run)" if is_root() else "non-root"},
        )

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
    ) -> ExecResult:
        if not self.options.allow_unisolated:
            raise PermissionDenied("the process runner is unisolated", fix=UNISOLATED_FIX)
        (self.workdir / cwd).mkdir(parents=True, exist_ok=True)
        notes: list[str] = ["unisolated: resource limits only"]
        with sandbox_uid() as uid, tempfile.TemporaryDirectory(prefix="researchos-run-") as tmp:
            wrapper = self._wrapper(limits, uid, Path(tmp), notes)
            full_env = self.sandbox_env(env, limits, cwd)
            full_env.update(HOME=tmp, TMPDIR=tmp, MPLCONFIGDIR=f"{tmp}/matplotlib")
            if uid is not None and not self._runtime_reachable():
                full_env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
                notes.append("python runtime not reachable by the sandbox uid: system python")
            launch = Launch(
                argv=[*wrapper, *argv],
                env=full_env,
                cwd=self.workdir / cwd,
                limits=limits,
                logs=logs,
                stdin_path=stdin_path,
                sandbox_uid=uid,
                workdir=self.workdir,
                cancel=cancel,
            )
            outcome = watch(launch)
        return to_result(
            outcome,
            runner=self.kind,
            isolation=self.isolation,
            limits=limits,
            workdir=self.workdir,
            logs=logs,
            sandbox_uid=uid,
            notes=tuple(notes),
        )

    def _wrapper(self, limits: Limits, uid: int | None, tmp: Path, notes: list[str]) -> list[str]:
        prlimit, setpriv = tool("prlimit"), tool("setpriv")
        if prlimit is None or (uid is not None and setpriv is None):
            raise SandboxError("prlimit or setpriv is missing", fix="install util-linux")
        if uid is None:
            return limit_argv(prlimit, limits)
        if not reachable_by_others(self.workdir):
            raise SandboxError(
                f"the sandbox uid cannot reach the work dir {self.workdir}",
                fix="put the workspace under a directory others may traverse (chmod o+x on "
                "its parents), or use the bwrap runner",
            )
        hand_over(self.workdir, uid)
        os.chown(tmp, uid, uid)
        notes.append(f"runs as dedicated uid {uid}")
        return [*drop_argv(str(setpriv), uid), *limit_argv(prlimit, limits)]

    def _runtime_reachable(self) -> bool:
        python = shutil.which("python3", path=":".join(str(d) for d in self.runtime.bin_dirs))
        return python is not None and reachable_by_others(Path(python))
