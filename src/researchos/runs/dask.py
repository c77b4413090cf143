"""The Dask executor: runs go to a Dask distributed scheduler; workers run them locally.

Each worker executes with its own best local runner (bwrap where it works) and sends back the
result, logs and outputs (``remote``); the driver writes them into the workspace, so records
look the same as local ones. Workers can be a LocalCluster, plain ``dask worker`` processes on
other machines, dask-jobqueue on Slurm/PBS or Kubernetes (docs/scale-out.md). Dask is an
optional extra, imported only here and only when used.

Dask costs a few milliseconds of CPU per task, spread over the client, the scheduler and the
worker; for short runs that is a sizeable share. So ``map`` hands runs over in batches (one
graph per batch instead of one per run), one thread fetches finished results in batches (one
gather round trip for everything that finished meanwhile instead of one per run), and a
result is released as soon as it is in the workspace, so workers do not keep it in memory.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from researchos.errors import ConfigError
from researchos.runs.executors import Executor, ProgressCallback, RunHandle
from researchos.runs.remote import apply_remote, execute_remote, job_for
from researchos.runs.service import RunService

INSTALL_FIX = "pip install 'researchos[dask]'"
FLAG_POLL_S = 0.5
NOT_GATHERED = object()  # the batch fetch failed: the run asks its own future for the error


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
        # finished futures queue up here; one thread fetches them, a pool writes the records
        # (off Dask's event loop)
        self._finished: queue.SimpleQueue[tuple[RunHandle, Any] | None] = queue.SimpleQueue()
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
        jobs = [job_for(h.prepared, sandbox, self._event_name(h.run_id)) for h in handles]
        keys = [f"researchos-{h.run_id}" for h in handles]
        futures = self.client.map(execute_remote, jobs, key=keys, pure=False)
        for handle, future in zip(handles, futures, strict=True):
            self._futures[handle.run_id] = future
            future.add_done_callback(lambda f, h=handle: self._finished.put((h, f)))

    def _gather_loop(self) -> None:
        while (item := self._finished.get()) is not None:
            batch = [item]
            with contextlib.suppress(queue.Empty):
                while len(batch) < 64:
                    more = self._finished.get_nowait()
                    if more is None:
                        self._finished.put(None)  # stop after this batch
                        break
                    batch.append(more)
            self._fetch(batch)

    def _fetch(self, batch: list[tuple[RunHandle, Any]]) -> None:
        ready: list[tuple[RunHandle, Any]] = []
        results: list[Any] = []
        for handle, future in batch:
            if future.status == "finished":
                ready.append((handle, future))
            else:  # cancelled or failed: its own future says which
                self._collect.submit(self._finish, handle, future, NOT_GATHERED)
        if ready:
            try:
                results = self.client.gather([future for _, future in ready])
            except Exception:  # a lost key, a closed client: each run reports its own error
                results = [NOT_GATHERED] * len(ready)
        for (handle, future), result in zip(ready, results, strict=True):
            self._collect.submit(self._finish, handle, future, result)

    def _finish(self, handle: RunHandle, future: Any, result: Any) -> None:
        try:
            if future.cancelled():
                record = self.service.finish_cancelled(handle.prepared)
            else:
                remote = future.result() if result is NOT_GATHERED else result
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
        if future is not None and future.status == "pending":
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
