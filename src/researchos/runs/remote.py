"""A run shipped to another machine and its results shipped back (used by the Dask executor).

The job carries everything the worker needs (the code files as bytes, the command, the
resolved limits, the runner options); the worker runs it with its own local runner in a
temporary directory and returns the result, the logs and the output files as bytes (each
capped at ``MAX_TRANSFER_BYTES``). The driver writes them into ``var/runs/<id>/`` so a remote
run leaves the same directory and record as a local one.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from researchos.errors import PermissionDenied, SandboxError
from researchos.files import safe_relative, write_atomic
from researchos.runs.models import OutputFile
from researchos.runs.record import collect_outputs
from researchos.runs.service import PreparedRun, RunService, run_env
from researchos.sandbox import ExecResult, Limits, Sandbox, SandboxConfig
from researchos.sandbox.base import RunnerOptions
from researchos.sandbox.environments import EnvironmentCache

MAX_TRANSFER_BYTES = 64 << 20
CANCEL_POLL_S = 1.0


@dataclass(frozen=True)
class RemoteJob:
    run_id: str
    command: list[str]
    files: dict[str, tuple[bytes, bool]]  # path -> (content, executable)
    inputs: dict[str, str]
    env: dict[str, str]
    limits: Limits
    runner: str
    options: RunnerOptions
    requirements: list[str] = field(default_factory=list)
    cancel_event: str | None = None


@dataclass(frozen=True)
class RemoteResult:
    run_id: str
    host: str
    started: datetime | None = None
    result: dict[str, Any] | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    outputs: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def job_for(prepared: PreparedRun, sandbox: Sandbox, cancel_event: str | None) -> RemoteJob:
    files = {}
    for rel in prepared.inputs:
        path = prepared.workdir / rel
        files[rel] = (path.read_bytes(), bool(path.stat().st_mode & stat.S_IXUSR))
    return RemoteJob(
        run_id=prepared.id,
        command=list(prepared.spec.command),
        files=files,
        inputs=dict(prepared.inputs),
        env=run_env(prepared.spec, prepared.id),
        limits=prepared.limits,
        runner=prepared.spec.runner or sandbox.config.runner,
        options=sandbox.config.options,
        requirements=list(prepared.spec.requirements),
        cancel_event=cancel_event,
    )


def _read_capped(path: Path, notes: list[str]) -> bytes:
    if not path.is_file():
        return b""
    with path.open("rb") as handle:
        data = handle.read(MAX_TRANSFER_BYTES + 1)
    if len(data) > MAX_TRANSFER_BYTES:
        notes.append(f"{path.name} cut to {MAX_TRANSFER_BYTES} bytes on the way back")
        return data[:MAX_TRANSFER_BYTES]
    return data


def _dask_cancel_check(name: str | None) -> Callable[[], bool] | None:
    if name is None:
        return None
    from distributed import Event

    # a scheduler round trip per question: ask at most once a second, first after a second
    event, last = Event(name), [time.monotonic()]

    def check() -> bool:
        now = time.monotonic()
        if now - last[0] < CANCEL_POLL_S:
            return False
        last[0] = now
        return bool(event.is_set())

    return check


def execute_remote(job: RemoteJob) -> RemoteResult:
    """Runs on a worker: the whole run in a temporary directory, results as bytes."""
    host = socket.gethostname()
    started = datetime.now(UTC)
    tmp = Path(tempfile.mkdtemp(prefix=f"researchos-{job.run_id}-"))
    try:
        work, logs = tmp / "work", tmp / "logs"
        for rel, (data, executable) in job.files.items():
            target = safe_relative(work, rel, field="files")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            if executable:
                target.chmod(target.stat().st_mode | 0o111)
        try:
            return _run_here(job, work, logs, host, started)
        except (SandboxError, PermissionDenied) as exc:
            return RemoteResult(job.run_id, host, started, error=str(exc))
    finally:
        _remove_later(tmp)


def execute_remote_many(jobs: list[RemoteJob]) -> list[RemoteResult]:
    """Runs on a worker: several short runs in one task, one after the other."""
    return [execute_remote(job) for job in jobs]


_reaper: ThreadPoolExecutor | None = None
_reaper_lock = threading.Lock()


def _remove_later(path: Path) -> None:
    """Delete a finished run's directory off the task's path: on a busy disk removing a few
    directories waits milliseconds for the journal, time the worker can spend on the next run
    (everything the driver needs is already in the result)."""
    global _reaper
    with _reaper_lock:
        if _reaper is None:
            _reaper = ThreadPoolExecutor(1, thread_name_prefix="researchos-reaper")
        _reaper.submit(shutil.rmtree, path, ignore_errors=True)


def _run_here(job: RemoteJob, work: Path, logs: Path, host: str, started: datetime) -> RemoteResult:
    cache = Path(user_cache_dir("researchos")) / "envs"
    environments = EnvironmentCache(root=cache, locks_dir=cache / ".locks")
    runtime = environments.ensure(job.requirements)
    sandbox = Sandbox(SandboxConfig(runner=job.runner, limits=job.limits, options=job.options))
    runner = sandbox.runner(work, logs_dir=logs, runtime=runtime)
    result = runner.exec(
        job.command,
        env=job.env,
        limits=job.limits,
        cancel=_dask_cancel_check(job.cancel_event),
        log_prefix="",
    )
    notes: list[str] = []
    outputs = collect_outputs(work, job.inputs)
    files, budget = {}, MAX_TRANSFER_BYTES
    for output in outputs:
        if output.kind == "file" and output.size <= budget:
            files[output.path] = (work / output.path).read_bytes()
            budget -= output.size
        elif output.kind == "file":
            notes.append(f"output {output.path} left on {host}: transfer budget exhausted")
    return RemoteResult(
        run_id=job.run_id,
        host=host,
        started=started,
        result=result.to_dict(),
        stdout=_read_capped(result.stdout_log, notes),
        stderr=_read_capped(result.stderr_log, notes),
        outputs=[o.model_dump() for o in outputs],
        files=files,
        environment={**runtime.describe(), "worker_pid": os.getpid()},
        notes=notes,
    )


def apply_remote(service: RunService, prepared: PreparedRun, remote: RemoteResult) -> Any:
    """On the driver: write what came back into the run directory and finish the record."""
    if remote.error is not None or remote.result is None:
        return service.finish_error(prepared, f"on {remote.host}: {remote.error}")
    stdout_log, stderr_log = prepared.logs_dir / "stdout.log", prepared.logs_dir / "stderr.log"
    write_atomic(stdout_log, remote.stdout, fsync=False)
    write_atomic(stderr_log, remote.stderr, fsync=False)
    for rel, data in remote.files.items():
        write_atomic(safe_relative(prepared.workdir, rel, field="outputs"), data, fsync=False)
    fields = dict(remote.result)
    fields.update(
        stdout_log=stdout_log,
        stderr_log=stderr_log,
        limits_hit=tuple(fields["limits_hit"]),
        notes=(*fields["notes"], *remote.notes, f"ran on {remote.host}"),
    )
    result = ExecResult(**fields)
    outputs = [OutputFile.model_validate(o) for o in remote.outputs]
    return service.finish(
        prepared, result, remote.environment, outputs, host=remote.host, started=remote.started
    )
