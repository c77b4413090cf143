"""The Dask executor: runs go to a Dask distributed scheduler; workers run them locally.

Each worker executes with its own best local runner (bwrap where it works) and sends back the
result, logs and outputs (``remote``); the driver writes them into the workspace, so records
look the same as local ones. Workers can be a LocalCluster, plain ``dask worker`` processes on
other machines, dask-jobqueue on Slurm/PBS or Kubernetes (docs/scale-out.md). Dask is an
optional extra, imported only here and only when used.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from researchos.errors import ConfigError
from researchos.runs.executors import Executor, ProgressCallback, RunHandle
from researchos.runs.remote import apply_remote, execute_remote, job_for
from researchos.runs.service import RunService

INSTALL_FIX = "pip install 'researchos[dask]'"
FLAG_POLL_S = 0.5


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

    def __init__(
        self,
        service: RunService,
        *,
        address: str | None = None,
        client: Any = None,
        progress: ProgressCallback | None = None,
        collectors: int = 4,
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
        # writing results into the workspace happens here, off Dask's event loop
        self._collect = ThreadPoolExecutor(collectors, thread_name_prefix="researchos-collect")
        # `researchos runs cancel` from another process leaves a flag file; workers elsewhere
        # cannot see it, so the driver relays it through a Dask Event
        self._closing = threading.Event()
        self._flags = threading.Thread(target=self._watch_flags, daemon=True)
        self._flags.start()

    def _watch_flags(self) -> None:
        while not self._closing.wait(FLAG_POLL_S):
            for handle in list(self._handles.values()):
                wanted = handle.prepared.cancel_flag.exists()
                if wanted and not handle.done() and not handle.stop.is_set():
                    with contextlib.suppress(Exception):
                        self.cancel(handle.run_id)

    def _event_name(self, run_id: str) -> str:
        return f"researchos-cancel-{run_id}"

    def _start(self, handle: RunHandle) -> None:
        job = job_for(handle.prepared, self.service.sandbox, self._event_name(handle.run_id))
        future = self.client.submit(
            execute_remote, job, key=f"researchos-{handle.run_id}", pure=False
        )
        self._futures[handle.run_id] = future
        future.add_done_callback(lambda f: self._collect.submit(self._finish, handle, f))

    def _finish(self, handle: RunHandle, future: Any) -> None:
        try:
            if future.cancelled():
                record = self.service.finish_cancelled(handle.prepared)
            else:
                record = apply_remote(self.service, handle.prepared, future.result())
        except BaseException as exc:
            self._fail(handle, exc)
            return
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
        self._collect.shutdown(wait=True)
        if self._own_client:
            self.client.close()
