"""The Dask executor: runs go to a Dask distributed scheduler; workers run them locally.

Each worker executes with its own best local runner (bwrap where it works) and sends back the
result, logs and outputs (``remote``); the driver writes them into the workspace, so records
look the same as local ones. Workers can be a LocalCluster, plain ``dask worker`` processes on
other machines, dask-jobqueue on Slurm/PBS or Kubernetes (docs/scale-out.md). Dask is an
optional extra, imported only here and only when used.

Dask costs a few milliseconds of CPU per task, spread over the client, the scheduler and the
worker; for short runs that is a sizeable share. So ``map`` hands runs over in batches (one
graph per batch instead of one per run); when the runs seen so far were short, consecutive runs
of a batch share one task, which runs them one after the other (Dask's own advice is tasks of
at least ~100 ms); one thread fetches finished results in batches (one gather round trip for
everything that finished meanwhile); and a result is released as soon as it is in the
workspace, so workers do not keep it in memory. A run cancelled while it waits in a shared
task is recorded as cancelled at once; its Event stops it on the worker.
"""

from __future__ import annotations

import contextlib
import queue
import statistics
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from researchos.errors import ConfigError
from researchos.runs.executors import Executor, ProgressCallback, RunHandle
from researchos.runs.remote import apply_remote, execute_remote_many, job_for
from researchos.runs.service import RunService

INSTALL_FIX = "pip install 'researchos[dask]'"
FLAG_POLL_S = 0.5
NOT_GATHERED = object()  # the batch fetch failed: the run asks its own future for the error
TASK_TARGET_S = 0.1  # runs shorter than this share a task, up to this much work per task
MAX_RUNS_PER_TASK = 16
DURATION_SAMPLES = 16
THREADS_TTL_S = 10.0


def import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError(
            "the dask executor needs Dask distributed, which is not installed", fix=INSTALL_FIX
        ) from None
    return distributed


class DaskExecutor(Executor):
    """Submits runs to the scheduler at ``address`` (or to an existing ``client``)."""

    name = "dask"
    submit_batch = 16

    def __init__(
        self,
        service: RunService,
        *,
        address: str | None = None,
        client: Any = None,
        progress: ProgressCallback | None = None,
        collectors: int = 2,
    ) -> None:
        super().__init__(service, progress=progress)
        distributed = import_distributed()
        if client is None and not address:
            raise ConfigError(
                "the dask executor needs a scheduler address",
                fix="set RESEARCHOS_DASK_ADDRESS=tcp://host:8786",
            )
        self._own_client = client is None
        try:
            self.client = client or distributed.Client(address, timeout="10s")
        except OSError as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                fix="start it with `dask scheduler` or correct RESEARCHOS_DASK_ADDRESS",
            ) from None
        self._distributed = distributed
        self._futures: dict[str, Any] = {}
        self._groups: dict[str, list[RunHandle]] = {}  # task key -> the runs it carries
        self._durations: deque[float] = deque(maxlen=DURATION_SAMPLES)
        self._threads_seen, self._threads_at = 1, -THREADS_TTL_S
        # finished futures queue up here; one thread fetches them, a pool writes the records
        # (off Dask's event loop)
        self._finished: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._collect = ThreadPoolExecutor(collectors, thread_name_prefix="researchos-collect")
        self._gatherer = threading.Thread(
            target=self._gather_loop, name="researchos-gather", daemon=True
        )
        self._gatherer.start()
        # `researchos runs cancel` from another process leaves a flag file; workers elsewhere
        # cannot see it, so the driver relays it through a Dask Event
        self._closing = threading.Event()
        self._flags = threading.Thread(target=self._watch_flags, daemon=True)
        self._flags.start()

    def _watch_flags(self) -> None:
        while not self._closing.wait(FLAG_POLL_S):
            for handle in list(self._handles.values()):
                if handle.done() or handle.stop.is_set():
                    continue
                if handle.prepared.cancel_flag.exists():
                    with contextlib.suppress(Exception):
                        self.cancel(handle.run_id)

    def _event_name(self, run_id: str) -> str:
        return f"researchos-cancel-{run_id}"

    def _start(self, handle: RunHandle) -> None:
        self._start_many([handle])

    def _start_many(self, handles: list[RunHandle]) -> None:
        sandbox = self.service.sandbox
        size = self._task_size(len(handles))
        groups = [handles[i : i + size] for i in range(0, len(handles), size)]
        jobs = [
            [job_for(h.prepared, sandbox, self._event_name(h.run_id)) for h in g] for g in groups
        ]
        keys = [_task_key(group) for group in groups]
        futures = self.client.map(execute_remote_many, jobs, key=keys, pure=False)
        for group, key, future in zip(groups, keys, futures, strict=True):
            self._groups[key] = group
            for handle in group:
                self._futures[handle.run_id] = future
            future.add_done_callback(lambda f: self._finished.put(f))

    def _task_size(self, batch: int) -> int:
        """Runs per task for a batch: every worker thread still gets two tasks of it or more,
        so a batch of runs that turn out long (after short ones) stays spread out."""
        return min(self._runs_per_task(), max(1, batch // (2 * self._threads())))

    def _threads(self) -> int:
        """Worker threads in the cluster (asked at most every THREADS_TTL_S seconds)."""
        now = time.monotonic()
        if now - self._threads_at > THREADS_TTL_S:
            with contextlib.suppress(Exception):
                self._threads_seen = max(1, sum(self.client.nthreads().values()))
                self._threads_at = now
        return self._threads_seen

    def _runs_per_task(self) -> int:
        """1 until runs are known to be short; then as many as make ~TASK_TARGET_S of work."""
        if len(self._durations) < 4:
            return 1
        typical = max(statistics.median(self._durations), 1e-3)
        return max(1, min(MAX_RUNS_PER_TASK, int(TASK_TARGET_S / typical)))

    def _gather_loop(self) -> None:
        while (future := self._finished.get()) is not None:
            batch = [future]
            with contextlib.suppress(queue.Empty):
                while len(batch) < 64:
                    more = self._finished.get_nowait()
                    if more is None:
                        self._finished.put(None)  # stop after this batch
                        break
                    batch.append(more)
            try:
                self._fetch(batch)
            except Exception as exc:  # never let this thread die: the runs would hang
                for future in batch:
                    for handle in self._groups.pop(future.key, []):
                        self._fail(handle, exc)

    def _fetch(self, batch: list[Any]) -> None:
        ready = []
        for future in batch:
            if future.status == "finished":
                ready.append(future)
            else:  # cancelled or failed: its own future says which
                self._settle_task(future, [NOT_GATHERED] * len(self._groups[future.key]))
        results: list[Any] = []
        if ready:
            try:
                results = self.client.gather(ready)
            except Exception:  # a lost key, a closed client: each run reports its own error
                results = [[NOT_GATHERED] * len(self._groups[f.key]) for f in ready]
        for future, remotes in zip(ready, results, strict=True):
            self._settle_task(future, remotes)

    def _settle_task(self, future: Any, remotes: list[Any]) -> None:
        group = self._groups.pop(future.key, [])
        for index, (handle, remote) in enumerate(zip(group, remotes, strict=True)):
            self._collect.submit(self._finish, handle, future, index, remote)

    def _finish(self, handle: RunHandle, future: Any, index: int, remote: Any) -> None:
        try:
            if handle.done():  # cancelled while it waited in a shared task
                return
            if future.cancelled():
                record = self.service.finish_cancelled(handle.prepared)
            else:
                if remote is NOT_GATHERED:
                    remote = future.result()[index]
                if remote.result is not None:
                    self._durations.append(float(remote.result["duration"]))
                record = apply_remote(self.service, handle.prepared, remote)
        except BaseException as exc:
            self._fail(handle, exc)
            return
        finally:
            self._futures.pop(handle.run_id, None)  # Dask frees the result on the worker
        self._complete(handle, record)

    def _cancel_queued(self, handle: RunHandle) -> None:
        with contextlib.suppress(Exception):
            self._distributed.Event(self._event_name(handle.run_id), client=self.client).set()
        future = self._futures.get(handle.run_id)
        if future is None or future.status != "pending":
            return
        if len(self._groups.get(future.key, ())) > 1:  # its task carries other runs too
            self._complete(handle, self.service.finish_cancelled(handle.prepared))
        else:
            future.cancel()

    def shutdown(self, wait: bool = True) -> None:
        if not wait:
            for handle in list(self._handles.values()):
                if not handle.done():
                    self.cancel(handle.run_id)
        for handle in list(self._handles.values()):
            with contextlib.suppress(Exception):
                handle.result(timeout=None if wait else 30)
        self._closing.set()
        self._finished.put(None)
        self._gatherer.join(timeout=30)
        self._collect.shutdown(wait=True)
        if self._own_client:
            self.client.close()


def _task_key(group: list[RunHandle]) -> str:
    extra = f"+{len(group) - 1}" if len(group) > 1 else ""
    return f"researchos-{group[0].run_id}{extra}"
