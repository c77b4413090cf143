"""The ``docker`` runner: a throw-away container with no network and cgroup limits.

Chosen only when a Docker daemon answers. The probe looks for the client, then for a daemon
socket (or DOCKER_HOST), then asks the daemon its version with a short timeout, so a machine
with only the client learns "no daemon" in milliseconds and the runner steps aside.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from researchos.errors import SandboxError
from researchos.sandbox.base import Availability, CancelCheck, Runner, register_runner
from researchos.sandbox.execution import Launch, watch
from researchos.sandbox.identity import hand_over, is_root
from researchos.sandbox.limits import Limits
from researchos.sandbox.result import ExecResult
from researchos.sandbox.verdict import to_result

SANDBOX_WORK = "/sandbox/work"
PROBE_TIMEOUT_S = 5.0
NOBODY = 65534
DEFAULT_SOCKET = Path("/var/run/docker.sock")


def docker_argv(
    *,
    name: str,
    image: str,
    workdir: Path,
    cwd: str,
    limits: Limits,
    env: dict[str, str],
    user: str,
) -> list[str]:
    """The ``docker run`` command line for one sandboxed command (without the command)."""
    cpu = limits.effective_cpu_time
    argv = ["docker", "run", "--rm", "-i", "--name", name, "--network", "none"]
    argv += ["--memory", str(limits.memory), "--memory-swap", str(limits.memory)]
    argv += ["--cpus", str(limits.cpus), "--pids-limit", str(limits.processes)]
    argv += ["--ulimit", f"cpu={cpu}:{cpu + 1}", "--ulimit", f"fsize={limits.file_size}"]
    argv += ["--read-only", "--tmpfs", f"/tmp:rw,size={limits.output_size},mode=1777"]
    argv += ["--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", user]
    argv += ["-v", f"{workdir}:{SANDBOX_WORK}:rw"]
    argv += ["-w", SANDBOX_WORK if cwd in ("", ".") else f"{SANDBOX_WORK}/{cwd}"]
    for key, value in sorted(env.items()):
        argv += ["-e", f"{key}={value}"]
    return [*argv, image]


@register_runner
class DockerRunner(Runner):
    kind = "docker"
    isolation = "container"
    sandbox_workdir = SANDBOX_WORK

    @classmethod
    def probe(cls) -> Availability:
        return _probe()

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
        availability = self.probe()
        if not availability.available:
            raise SandboxError(f"docker runner unavailable: {availability.reason}")
        (self.workdir / cwd).mkdir(parents=True, exist_ok=True)
        user = f"{NOBODY}:{NOBODY}" if is_root() else f"{os.getuid()}:{os.getgid()}"
        if is_root():
            hand_over(self.workdir, NOBODY)
        name = f"researchos-{secrets.token_hex(6)}"
        full_env = self.sandbox_env(env, limits, cwd)
        full_env.pop("PATH")  # the image's own PATH finds its python
        launch = Launch(
            argv=[
                *docker_argv(
                    name=name,
                    image=self.options.docker_image,
                    workdir=self.workdir,
                    cwd=cwd,
                    limits=limits,
                    env=full_env,
                    user=user,
                ),
                *argv,
            ],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            cwd=self.workdir,
            limits=limits,
            logs=logs,
            stdin_path=stdin_path,
            workdir=self.workdir,
            signal_offset=128,
            contained=True,
            cancel=cancel,
            on_kill=lambda: _docker_kill(name),
        )
        outcome = watch(launch)
        return to_result(
            outcome,
            runner=self.kind,
            isolation=self.isolation,
            limits=limits,
            workdir=self.workdir,
            logs=logs,
            notes=(f"image {self.options.docker_image}",),
        )


def _docker_kill(name: str) -> None:
    subprocess.run(
        ["docker", "kill", name], capture_output=True, timeout=PROBE_TIMEOUT_S, check=False
    )


def daemon_reason() -> str | None:
    """Why no daemon can answer, decided without a network round trip; None = worth asking."""
    host = os.environ.get("DOCKER_HOST", "")
    if host.startswith("unix://"):
        socket = Path(host.removeprefix("unix://"))
        return None if socket.exists() else f"no Docker daemon socket at {socket}"
    if host:
        return None
    if not DEFAULT_SOCKET.exists():
        return f"no Docker daemon answers (no socket at {DEFAULT_SOCKET}, DOCKER_HOST unset)"
    return None


@lru_cache(maxsize=1)
def _probe() -> Availability:
    if shutil.which("docker") is None:
        return Availability("docker", False, "docker client not installed", "container")
    reason = daemon_reason()
    if reason is not None:
        return Availability("docker", False, reason, "container")
    try:
        answer = subprocess.run(
            ["docker", "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Availability(
            "docker", False, f"Docker daemon did not answer in {PROBE_TIMEOUT_S:.0f} s", "container"
        )
    if answer.returncode != 0 or not answer.stdout.strip():
        last = (answer.stderr.strip().splitlines() or ["no answer"])[-1]
        return Availability("docker", False, f"Docker daemon does not answer: {last}", "container")
    return Availability("docker", True, "works", "container", {"server": answer.stdout.strip()})
