"""The ``bwrap`` runner: bubblewrap namespaces around every command (the default on Linux).

Inside: a fresh root holding the system read-only (/usr, /etc and the /bin, /lib links), the
Python runtime read-only at its host paths, the work dir (the only writable host directory) at
``/sandbox/work``, a private /tmp and /dev/shm of bounded size, a new PID namespace (nothing
survives the main process), and no network (a new network namespace with only loopback).
As root, the command drops to a dedicated uid with no capabilities and no_new_privs (through
GNU ``chroot --userspec``, or ``setpriv``; see ``tools``); as a normal user, bwrap maps the
caller's uid into a user namespace. Resource limits are applied
to the sandbox's first process while bwrap waits for us (``handshake``); the command inherits
them.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from researchos.errors import SandboxError
from researchos.sandbox import spawn
from researchos.sandbox.base import Availability, CancelCheck, Runner, register_runner
from researchos.sandbox.execution import Launch, watch
from researchos.sandbox.handshake import Handshake
from researchos.sandbox.identity import UID_BASE, hand_over, is_root, sandbox_uid
from researchos.sandbox.limits import Limits
from researchos.sandbox.result import ExecResult
from researchos.sandbox.tools import sandbox_drop_argv, tool
from researchos.sandbox.verdict import to_result

SANDBOX_ROOT = "/sandbox"
SANDBOX_WORK = f"{SANDBOX_ROOT}/work"
ROOT_LINKS = ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
SIGNAL_OFFSET = 128


@lru_cache(maxsize=1)
def _system_mounts() -> tuple[str, ...]:
    args = ["--ro-bind", "/usr", "/usr"]
    for link in ROOT_LINKS:
        path = Path(link)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), link]
        elif path.is_dir():
            args += ["--ro-bind", link, link]
    return (*args, "--ro-bind-try", "/etc", "/etc")


@lru_cache(maxsize=8)
def _runtime_mounts(paths: tuple[Path, ...]) -> tuple[str, ...]:
    args: list[str] = []
    made: set[Path] = set()
    for path in paths:
        if str(path) == SANDBOX_ROOT or str(path).startswith(SANDBOX_ROOT + "/"):
            raise SandboxError(
                f"{path} collides with the sandbox's own {SANDBOX_ROOT}",
                fix="install the Python environment somewhere else",
            )
        # bwrap would create missing parents 0700; the dropped uid must traverse them
        for parent in reversed(path.parents):
            if parent != Path("/") and parent not in made:
                made.add(parent)
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", str(path), str(path)]
    return tuple(args)


@register_runner
class BwrapRunner(Runner):
    kind = "bwrap"
    isolation = "namespaces"
    sandbox_workdir = SANDBOX_WORK

    @classmethod
    def probe(cls) -> Availability:
        return _probe()

    def bwrap_argv(
        self, *, cwd: str, limits: Limits, uid: int | None, handshake: list[str]
    ) -> list[str]:
        bwrap = tool("bwrap")
        drop = sandbox_drop_argv(uid) if uid is not None else []
        if bwrap is None or drop is None:
            raise SandboxError(
                "bwrap, or a program to switch uid (GNU chroot, setpriv), is missing",
                fix="apt-get install bubblewrap coreutils (see `researchos sandbox check`)",
            )
        tmp_size = str(min(limits.output_size, limits.memory))
        chdir = SANDBOX_WORK if cwd in ("", ".") else f"{SANDBOX_WORK}/{cwd}"
        argv = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        # no cgroup namespace: /sys is not mounted, so there is no cgroup tree to hide
        argv += ["--die-with-parent", "--new-session"]
        argv += [] if uid is not None else ["--unshare-user"]
        argv += ["--hostname", "sandbox", *_system_mounts(), "--proc", "/proc", "--dev", "/dev"]
        argv += ["--perms", "1777", "--size", tmp_size, "--tmpfs", "/tmp"]
        argv += ["--perms", "1777", "--size", tmp_size, "--tmpfs", "/dev/shm"]
        argv += ["--perms", "0755", "--dir", SANDBOX_ROOT]
        argv += ["--bind", str(self.workdir), SANDBOX_WORK]
        argv += _runtime_mounts((*self.runtime.mounts, *self.extra_mounts))
        argv += [*handshake, "--chdir", chdir, "--"]
        return argv + drop

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
        (self.workdir / cwd).mkdir(parents=True, exist_ok=True)
        with sandbox_uid() as uid:
            handshake = Handshake(limits)

            def before_the_command(pid: int) -> None:
                # while bwrap sets up its namespaces; the command waits for the handshake
                if uid is not None:
                    hand_over(self.workdir, uid)
                handshake.complete(pid)

            fds = handshake.argv(spawn.child_fds(handshake.child_fds))
            sandbox = self.bwrap_argv(cwd=cwd, limits=limits, uid=uid, handshake=fds)
            launch = Launch(
                argv=[*sandbox, *argv],
                env=self.sandbox_env(env, limits, cwd),
                cwd=self.workdir,
                limits=limits,
                logs=logs,
                stdin_path=stdin_path,
                sandbox_uid=uid,
                workdir=self.workdir,
                signal_offset=SIGNAL_OFFSET,
                contained=True,
                cancel=cancel,
                passed=handshake.child_fds,
                after_spawn=before_the_command,
                settle=handshake.sandbox_gone,
            )
            try:
                outcome = watch(launch)
            finally:
                handshake.abandon()
        return to_result(
            outcome,
            runner=self.kind,
            isolation=self.isolation,
            limits=limits,
            workdir=self.workdir,
            logs=logs,
            sandbox_uid=uid,
        )


@lru_cache(maxsize=1)
def _probe() -> Availability:
    details = {"user": "root (drops to a dedicated uid per run)" if is_root() else "non-root"}
    missing = None
    if tool("bwrap") is None:
        missing = "bwrap not found (install the bubblewrap package)"
    elif is_root() and sandbox_drop_argv(UID_BASE) is None:
        missing = "neither GNU chroot nor setpriv found (install coreutils or util-linux)"
    if missing is not None:
        return Availability(BwrapRunner.kind, False, missing, BwrapRunner.isolation, details)
    with tempfile.TemporaryDirectory(prefix="researchos-probe-") as tmp:
        work = Path(tmp) / "work"
        runner = BwrapRunner(work, logs_dir=Path(tmp) / "logs")
        try:
            result = runner.exec(["true"], limits=Limits(wall_time=10, memory=256 << 20))
        except SandboxError as exc:
            return Availability(BwrapRunner.kind, False, str(exc), BwrapRunner.isolation, details)
    if result.returncode != 0:
        reason = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        return Availability(
            BwrapRunner.kind,
            False,
            f"bwrap cannot create its namespaces here: {reason[0]}",
            BwrapRunner.isolation,
            details,
        )
    version = subprocess.run(
        [str(tool("bwrap")), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return Availability(
        BwrapRunner.kind, True, "works", BwrapRunner.isolation, {**details, "version": version}
    )
