"""Executors schedule many runs: the seam, and the local pool.

``submit`` prepares the run at once (its directory and queued record exist when it returns)
and hands it to the pool; ``RunHandle.result()`` waits for the finished record. ``cancel``
stops a running run (its sandbox is killed) or finishes a queued one as cancelled right away.
Progress callbacks see every state change with done/total counts; they run on worker threads.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar

from researchos.errors import NotFound
from researchos.runs.models import RunRecord, RunSpec
from researchos.runs.service import PreparedRun, RunService


@dataclass(frozen=True)
class RunProgress:
    run_id: str
    status: str
    done: int
    total: int
    record: RunRecord | None = None


ProgressCallback = Callable[[RunProgress], None]


class RunHandle:
    """A submitted run: wait for its record or cancel it."""

    def __init__(self, prepared: PreparedRun) -> None:
        self.prepared = prepared
        self.future: Future[RunRecord] = Future()
        self.stop = threading.Event()

    @property
    def run_id(self) -> str:
        return self.prepared.id

    def result(self, timeout: float | None = None) -> RunRecord:
        return self.future.result(timeout)

    def done(self) -> bool:
        return self.future.done()


class Executor(ABC):
    """Runs many specs; subclasses decide where the sandboxes live."""

    name: ClassVar[str]
    submit_batch: ClassVar[int] = 1  # how many specs ``map`` prepares before handing them over

    def __init__(self, service: RunService, *, progress: ProgressCallback | None = None) -> None:
        self.service = service
        self._progress = [progress] if progress else []
        self._handles: dict[str, RunHandle] = {}
        self._lock = threading.Lock()
        self._done = 0

    @abstractmethod
    def _start(self, handle: RunHandle) -> None:
        """Hand a prepared run to the workers; must complete ``handle.future`` eventually."""

    def _start_many(self, handles: list[RunHandle]) -> None:
        """Hand several prepared runs over at once (a scheduler may take them in one message)."""
        for handle in handles:
            self._start(handle)

    @abstractmethod
    def shutdown(self, wait: bool = True) -> None: ...

    def submit(self, spec: RunSpec, *, limits: dict[str, Any] | None = None) -> RunHandle:
        handle = self._queue(spec, limits)
        self._start(handle)
        return handle

    def _queue(self, spec: RunSpec, limits: dict[str, Any] | None = None) -> RunHandle:
        prepared = self.service.prepare(spec, executor=self.name, limits=limits)
        handle = RunHandle(prepared)
        with self._lock:
            self._handles[handle.run_id] = handle
        self._emit(handle.run_id, "queued")
        return handle

    def map(
        self, specs: Iterable[RunSpec], *, progress: ProgressCallback | None = None
    ) -> list[RunRecord]:
        """Submit every spec, wait for all, return the records in submission order."""
        if progress:
            self._progress.append(progress)
        try:
            handles = self._submit_all(specs)
            return [handle.result() for handle in handles]
        finally:
            if progress:
                self._progress.remove(progress)

    def _submit_all(self, specs: Iterable[RunSpec]) -> list[RunHandle]:
        handles: list[RunHandle] = []
        pending: list[RunHandle] = []
        try:
            for spec in specs:
                pending.append(self._queue(spec))
                if len(pending) >= self.submit_batch:
                    self._start_many(pending)
                    handles += pending
                    pending = []
        finally:  # a spec that fails to prepare leaves the ones before it running
            if pending:
                self._start_many(pending)
        return [*handles, *pending]

    def cancel(self, run_id: str) -> bool:
        """Stop one run of this executor; False when it had already finished."""
        with self._lock:
            handle = self._handles.get(run_id)
        if handle is None:
            raise NotFound(f"run {run_id!r} is not one of this executor's runs")
        if handle.done():
            return False
        handle.stop.set()
        self._cancel_queued(handle)
        return True

    @abstractmethod
    def _cancel_queued(self, handle: RunHandle) -> None:
        """Finish a run that has not started yet (subclasses know whether it has)."""

    def _complete(self, handle: RunHandle, record: RunRecord) -> None:
        if handle.future.done():
            return
        with self._lock:
            self._done += 1
        handle.future.set_result(record)
        self._emit(handle.run_id, "finished", record)

    def _fail(self, handle: RunHandle, exc: BaseException) -> None:
        if handle.future.done():
            return
        try:
            record = self.service.finish_error(handle.prepared, f"{type(exc).__name__}: {exc}")
        except Exception:  # the store itself failed: surface the original error
            handle.future.set_exception(exc)
            return
        self._complete(handle, record)

    def _emit(self, run_id: str, status: str, record: RunRecord | None = None) -> None:
        with self._lock:
            event = RunProgress(run_id, status, self._done, len(self._handles), record)
            callbacks = list(self._progress)
        for callback in callbacks:
            callback(event)

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown(wait=exc[0] is None)


class LocalExecutor(Executor):
    """A thread pool on this machine; each thread drives one sandboxed process at a time."""

    name = "local"

    def __init__(
        self,
        service: RunService,
        *,
        workers: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        super().__init__(service, progress=progress)
        self.workers = workers or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="researchos-run")
        self._started: set[str] = set()

    def _start(self, handle: RunHandle) -> None:
        self._pool.submit(self._run, handle)

    def _run(self, handle: RunHandle) -> None:
        with self._lock:
            if handle.run_id in self._started:  # claimed by a cancel while queued
                return
            self._started.add(handle.run_id)
        self._emit(handle.run_id, "running")
        try:
            record = self.service.execute(handle.prepared, cancel=handle.stop.is_set)
        except BaseException as exc:
            self._fail(handle, exc)
            return
        self._complete(handle, record)

    def _cancel_queued(self, handle: RunHandle) -> None:
        with self._lock:
            if handle.run_id in self._started:
                return  # running: its sandbox sees ``handle.stop`` and is killed
            self._started.add(handle.run_id)
        self._complete(handle, self.service.finish_cancelled(handle.prepared))

    def shutdown(self, wait: bool = True) -> None:
        if not wait:
            for handle in list(self._handles.values()):
                if not handle.done():
                    self.cancel(handle.run_id)
        self._pool.shutdown(wait=True)
