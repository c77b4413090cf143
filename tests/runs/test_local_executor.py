"""The local executor: a pool with a queue, progress callbacks and cancellation."""

from __future__ import annotations

import threading
import time

from researchos.runs.executors import LocalExecutor, RunProgress
from researchos.runs.models import RunSpec


def test_progress_reports_every_state_with_counts(app):
    events: list[RunProgress] = []
    lock = threading.Lock()

    def seen(event: RunProgress) -> None:
        with lock:
            events.append(event)

    with LocalExecutor(app.runs, workers=2) as executor:
        records = executor.map([RunSpec(command=["true"]) for _ in range(4)], progress=seen)
    assert [r.result_class for r in records] == ["succeeded"] * 4
    by_status = {s: [e for e in events if e.status == s] for s in ("queued", "running", "finished")}
    assert all(len(group) == 4 for group in by_status.values())
    assert sorted(e.done for e in by_status["finished"]) == [1, 2, 3, 4]
    assert all(e.record is not None for e in by_status["finished"])


def test_pool_size_defaults_to_the_cores(app):
    import os

    executor = LocalExecutor(app.runs)
    assert executor.workers == os.cpu_count()
    executor.shutdown()


def test_cancel_stops_a_running_run_and_finishes_a_queued_one(app):
    with LocalExecutor(app.runs, workers=1) as executor:
        running = executor.submit(RunSpec(command=["sleep", "30"]))
        queued = executor.submit(RunSpec(command=["sleep", "30"]))
        _wait_for(lambda: app.runs.get(running.run_id).status == "running")
        started = time.monotonic()
        assert executor.cancel(queued.run_id)
        assert queued.result(timeout=5).result_class == "cancelled"
        assert queued.result().started is None  # it never ran
        assert executor.cancel(running.run_id)
        record = running.result(timeout=10)
        assert record.result_class == "cancelled"
        assert time.monotonic() - started < 5
        assert not executor.cancel(running.run_id)  # already finished


def test_runs_cancel_from_another_process_reaches_a_running_run(app):
    with LocalExecutor(app.runs, workers=1) as executor:
        handle = executor.submit(RunSpec(command=["sleep", "30"]))
        _wait_for(lambda: app.runs.get(handle.run_id).status == "running")
        assert app.runs.request_cancel(handle.run_id).status == "cancelling"
        assert handle.result(timeout=10).result_class == "cancelled"


def test_a_crash_inside_the_executor_becomes_a_recorded_error(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    with LocalExecutor(app.runs, workers=1) as executor:
        monkeypatch.setattr(app.runs, "execute", broken)
        record = executor.submit(RunSpec(command=["true"])).result(timeout=10)
    assert record.result_class == "sandbox_error"
    assert "disk on fire" in (record.error or "")


def _wait_for(condition, timeout: float = 10) -> None:
    until = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < until, "condition not reached"
        time.sleep(0.02)
