"""Runs: prepare a run directory, execute it in a sandbox, keep its record and its log.

Every run owns ``var/runs/<id>/``: ``work/`` (the only directory the sandboxed code can write,
seeded with a copy of the code), ``logs/`` (full stdout/stderr, out of the code's reach),
``spec.json`` and ``record.json``. Concurrent runs never share a directory. The record is
written to disk and to the store at every state change; when the run belongs to an ARA its
log becomes ``evidence/raw/<run-id>.log`` (one semantic commit).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from researchos.errors import Conflict, InputError, NotFound, PermissionDenied, SandboxError
from researchos.files import write_atomic
from researchos.runs.evidence import attach_log
from researchos.runs.models import OutputFile, RunRecord, RunSpec
from researchos.runs.record import code_hash, collect_outputs, copy_code, new_run_id
from researchos.sandbox import ExecResult, Limits, Sandbox, check_headless
from researchos.sandbox.environments import EnvironmentCache, normalise
from researchos.store import runs as run_store
from researchos.store.database import Database
from researchos.workspace import Workspace

log = logging.getLogger(__name__)
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class PreparedRun:
    """A run whose directory exists and whose record is queued."""

    record: RunRecord
    spec: RunSpec
    run_dir: Path
    inputs: dict[str, str]
    limits: Limits

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def workdir(self) -> Path:
        return self.run_dir / "work"

    @property
    def logs_dir(self) -> Path:
        return self.run_dir / "logs"

    @property
    def cancel_flag(self) -> Path:
        return self.run_dir / "cancel"


def result_class(result: ExecResult) -> str:
    if result.cancelled:
        return "cancelled"
    if result.limit_fired is not None:
        return "limit_exceeded"
    return "succeeded" if result.returncode == 0 else "failed"


def run_env(spec: RunSpec, run_id: str) -> dict[str, str]:
    env = {"RESEARCHOS_RUN_ID": run_id}
    if spec.seed is not None:
        env["RESEARCHOS_SEED"] = str(spec.seed)
    if spec.condition is not None:
        env["RESEARCHOS_CONDITION"] = spec.condition
    return {**env, **spec.env}


_SECRET_MARKERS = ("key", "token", "secret", "password", "credential")


def masked_env(env: dict[str, str]) -> dict[str, str]:
    """The run's extra environment for the record, with secret-looking values masked."""
    return {
        name: "[REDACTED]" if any(m in name.lower() for m in _SECRET_MARKERS) else value
        for name, value in env.items()
    }


def _now() -> datetime:
    return datetime.now(UTC)


class RunService:
    def __init__(
        self,
        *,
        workspace: Workspace,
        database: Database,
        sandbox: Sandbox,
        environments: EnvironmentCache,
        aras: Callable[[], object] | None = None,
        actor: str = "user",
    ) -> None:
        self.workspace = workspace
        self.database = database
        self.sandbox = sandbox
        self.environments = environments
        self._aras = aras
        self.actor = actor

    # --- lifecycle ------------------------------------------------------------------------

    def prepare(
        self, spec: RunSpec, *, executor: str = "local", limits: dict | None = None
    ) -> PreparedRun:
        """Check the spec, create the run directory and queue the record."""
        check_headless(spec.command, self.sandbox.config.options.interactive_binaries)
        if spec.ara is not None and self._aras is not None:
            self._aras().paths(spec.ara)  # type: ignore[attr-defined]  # NotFound early
        effective = self.sandbox.limits.override(spec.limits).override(limits or {})
        run_id = new_run_id()
        run_dir = self.workspace.runs_dir / run_id
        (run_dir / "logs").mkdir(parents=True)
        inputs = copy_code(spec.code_dir, spec.files, run_dir / "work")
        record = RunRecord(
            id=run_id,
            label=spec.label,
            command=list(spec.command),
            code_hash=code_hash(inputs),
            code_files=len(inputs),
            seed=spec.seed,
            condition=spec.condition,
            env=masked_env(spec.env),
            requirements=normalise(spec.requirements),
            limits=effective.to_dict(),
            executor=executor,
            host=socket.gethostname(),
            owner_pid=os.getpid(),
            created=_now(),
            ara=spec.ara,
            logs={"stdout": "logs/stdout.log", "stderr": "logs/stderr.log"},
        )
        prepared = PreparedRun(record, spec, run_dir, inputs, effective)
        write_atomic(run_dir / "spec.json", spec.model_dump_json(indent=2), fsync=False)
        self._save(prepared.run_dir, record)
        return prepared

    def execute(self, prepared: PreparedRun, *, cancel: CancelCheck | None = None) -> RunRecord:
        """Run a prepared run in this process's sandbox and record the outcome."""
        should_stop = self._cancel_check(prepared, cancel)
        if should_stop():
            return self.finish_cancelled(prepared)
        self.mark_running(prepared)
        try:
            runtime = self.environments.ensure(prepared.spec.requirements)
            runner = self.sandbox.runner(
                prepared.workdir,
                logs_dir=prepared.logs_dir,
                kind=prepared.spec.runner,
                runtime=runtime,
            )
            result = runner.exec(
                prepared.spec.command,
                env=run_env(prepared.spec, prepared.id),
                limits=prepared.limits,
                cancel=should_stop,
                log_prefix="",
            )
        except (SandboxError, PermissionDenied) as exc:
            return self.finish_error(prepared, str(exc))
        outputs = collect_outputs(prepared.workdir, prepared.inputs)
        return self.finish(prepared, result, runtime.describe(), outputs)

    def run(self, spec: RunSpec, *, limits: dict | None = None) -> RunRecord:
        """Prepare and execute one run here and now."""
        return self.execute(self.prepare(spec, limits=limits))

    def mark_running(self, prepared: PreparedRun, *, host: str | None = None) -> None:
        record = self._load(prepared.run_dir)
        changes = {"status": "running", "started": _now(), "host": host or record.host}
        self._save(prepared.run_dir, record.model_copy(update=changes))

    def finish(
        self,
        prepared: PreparedRun,
        result: ExecResult,
        environment: dict[str, object],
        outputs: list[OutputFile],
        *,
        host: str | None = None,
        started: datetime | None = None,
    ) -> RunRecord:
        record = self._load(prepared.run_dir).model_copy(
            update={
                "status": "finished",
                "result_class": result_class(result),
                "finished": _now(),
                "duration": result.duration,
                "cpu_time": result.cpu_time,
                "peak_memory": result.peak_memory,
                "exit_code": result.returncode,
                "signal": result.signal,
                "limit_fired": result.limit_fired,
                "limits_hit": list(result.limits_hit),
                "runner": result.runner,
                "isolation": result.isolation,
                "stdout_bytes": result.stdout_bytes,
                "stderr_bytes": result.stderr_bytes,
                "sandbox_uid": result.sandbox_uid,
                "notes": list(result.notes),
                "environment": environment,
                "outputs": outputs,
                **({"host": host} if host else {}),
                **({"started": started} if started else {}),
            }
        )
        record = self._attach_evidence(prepared, record)
        self._save(prepared.run_dir, record)
        return record

    def finish_error(self, prepared: PreparedRun, message: str) -> RunRecord:
        record = self._load(prepared.run_dir).model_copy(
            update={
                "status": "finished",
                "result_class": "sandbox_error",
                "finished": _now(),
                "error": message,
            }
        )
        self._save(prepared.run_dir, record)
        return record

    def finish_cancelled(self, prepared: PreparedRun | Path, note: str = "") -> RunRecord:
        run_dir = prepared.run_dir if isinstance(prepared, PreparedRun) else prepared
        record = self._load(run_dir)
        update = {"status": "finished", "result_class": "cancelled", "finished": _now()}
        if note:
            update["notes"] = [*record.notes, note]
        record = record.model_copy(update=update)
        self._save(run_dir, record)
        return record

    # --- reading and cancelling ---------------------------------------------------------

    def get(self, run_id: str) -> RunRecord:
        with self.database.session() as session:
            found = run_store.get_run(session, run_id=run_id)
            if found is None:
                matches = run_store.find_run_ids(session, prefix=run_id)
                if len(matches) > 1:
                    raise InputError(
                        f"run id prefix {run_id!r} matches several runs",
                        field="run_id",
                        fix="give more characters of the id",
                    )
                if matches:
                    found = run_store.get_run(session, run_id=matches[0])
        if found is None:
            raise NotFound(f"no run {run_id!r}", fix="see `researchos runs ls`")
        return RunRecord.model_validate(found)

    def list(
        self, *, limit: int = 50, status: str | None = None, ara: str | None = None
    ) -> list[RunRecord]:
        with self.database.session() as session:
            rows = run_store.list_runs(session, limit=limit, status=status, ara=ara)
        return [RunRecord.model_validate(row) for row in rows]

    def run_dir(self, run_id: str) -> Path:
        return self.workspace.runs_dir / self.get(run_id).id

    def log_path(self, run_id: str, stream: str = "stdout") -> Path:
        record = self.get(run_id)
        if stream not in record.logs:
            raise NotFound(f"run {record.id} has no {stream} log", fix="use stdout or stderr")
        return self.workspace.runs_dir / record.id / record.logs[stream]

    def request_cancel(self, run_id: str) -> RunRecord:
        """Ask the run to stop: its executor sees the flag within a quarter of a second."""
        record = self.get(run_id)
        if record.status == "finished":
            raise Conflict(f"run {record.id} already finished ({record.result_class})")
        run_dir = self.workspace.runs_dir / record.id
        write_atomic(run_dir / "cancel", _now().isoformat(), fsync=False)
        if _owner_gone(record):
            return self.finish_cancelled(run_dir, "cancelled after its executor had gone")
        record = record.model_copy(update={"status": "cancelling"})
        self._save(run_dir, record)
        return record

    # --- internals -----------------------------------------------------------------------

    def _cancel_check(self, prepared: PreparedRun, cancel: CancelCheck | None) -> CancelCheck:
        flag = prepared.cancel_flag

        def should_stop() -> bool:
            return flag.exists() or (cancel is not None and cancel())

        return should_stop

    def _attach_evidence(self, prepared: PreparedRun, record: RunRecord) -> RunRecord:
        if record.ara is None or self._aras is None:
            return record
        try:
            path = attach_log(self._aras(), record, prepared.logs_dir, actor=self.actor)
        except Exception as exc:  # the run stands; the note says why the evidence is missing
            log.warning("could not attach the log of %s to %s: %s", record.id, record.ara, exc)
            return record.model_copy(update={"notes": [*record.notes, f"evidence: {exc}"]})
        return record.model_copy(update={"evidence": path})

    def _load(self, run_dir: Path) -> RunRecord:
        return RunRecord.model_validate_json((run_dir / "record.json").read_text())

    def _save(self, run_dir: Path, record: RunRecord) -> None:
        write_atomic(run_dir / "record.json", record.model_dump_json(indent=2), fsync=False)
        with self.database.connection() as connection:
            run_store.save_run(connection, record=record.model_dump(mode="json"))


def _owner_gone(record: RunRecord) -> bool:
    if record.host != socket.gethostname() or record.owner_pid is None:
        return False
    try:
        os.kill(record.owner_pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
