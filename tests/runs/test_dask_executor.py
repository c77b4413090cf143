"""The Dask executor on a real LocalCluster over loopback (two worker processes)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator

import pytest

from researchos.errors import ConfigError, PermissionDenied
from researchos.files import sha256_file
from researchos.runs.dask import DaskExecutor
from researchos.runs.models import RunSpec


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_runs_execute_on_workers_and_come_back_whole(app, client, experiment):
    specs = [
        RunSpec(command=["python", "train.py"], code_dir=experiment, seed=seed) for seed in range(4)
    ]
    with DaskExecutor(app.runs, client=client) as executor:
        records = executor.map(specs)
    assert [r.result_class for r in records] == ["succeeded"] * 4, [r.error for r in records]
    workers = {r.environment["worker_pid"] for r in records}
    assert os.getpid() not in workers
    for record in records:
        assert (record.executor, record.runner, record.execution_mode) == (
            "dask",
            "bwrap",
            "headless",
        )
        run_dir = app.workspace.runs_dir / record.id
        metrics = run_dir / "work" / "metrics.jsonl"
        (output,) = record.outputs
        assert output.sha256 == sha256_file(metrics)
        assert f"seed {record.seed}" in (run_dir / "logs" / "stdout.log").read_text()
        assert app.runs.get(record.id).status == "finished"


def test_limits_fire_on_workers_too(app, client):
    with DaskExecutor(app.runs, client=client) as executor:
        handle = executor.submit(RunSpec(command=["sleep", "30"], limits={"wall_time": 1}))
        record = handle.result(timeout=30)
    assert (record.result_class, record.limit_fired) == ("limit_exceeded", "wall_time")


def test_cancel_reaches_a_run_on_a_worker(app, client):
    with DaskExecutor(app.runs, client=client) as executor:
        handle = executor.submit(RunSpec(command=["sleep", "60"]))
        time.sleep(1.5)
        started = time.monotonic()
        assert executor.cancel(handle.run_id)
        record = handle.result(timeout=20)
    assert record.result_class == "cancelled"
    assert time.monotonic() - started < 10


def test_missing_dask_names_the_install_command(app, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ConfigError) as err:
        DaskExecutor(app.runs, address="tcp://127.0.0.1:8786")
    assert err.value.fix == "pip install 'researchos[dask]'"


def test_an_address_is_required(app):
    with pytest.raises(ConfigError, match="scheduler address"):
        DaskExecutor(app.runs)


def test_a_batch_comes_back_whole_and_leaves_nothing_on_the_workers(app, client):
    specs = [RunSpec(command=["python", "-c", f"print({i})"]) for i in range(40)]
    with DaskExecutor(app.runs, client=client) as executor:
        assert executor.submit_batch > 1  # handed over in batches, fetched in batches
        records = executor.map(specs)
        assert executor._futures == {}  # every result released once it was in the workspace
    assert [r.result_class for r in records] == ["succeeded"] * 40
    for i, record in enumerate(records):  # in submission order, each with its own output
        assert (app.workspace.runs_dir / record.id / "logs" / "stdout.log").read_text() == f"{i}\n"
    deadline = time.monotonic() + 10  # releases reach the scheduler asynchronously
    while _held(client, records) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _held(client, records) == set()


def _held(client, records) -> set[str]:
    keys = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.tasks))
    return {key for key in keys for record in records if record.id in str(key)}


def test_short_runs_share_tasks_once_they_are_known_to_be_short(app, client):
    with DaskExecutor(app.runs, client=client) as executor:
        assert executor._runs_per_task() == 1  # nothing known yet: one run per task
        executor.map([RunSpec(command=["true"]) for _ in range(8)])
        shared = executor._runs_per_task()
        assert shared > 1  # `true` takes a few ms; a task of ~100 ms holds several
        specs = [RunSpec(command=["python", "-c", f"print({i})"]) for i in range(3 * shared)]
        records = executor.map(specs)
    assert [r.result_class for r in records] == ["succeeded"] * len(specs)
    for i, record in enumerate(records):  # each run its own sandbox, record and output
        assert (app.workspace.runs_dir / record.id / "logs" / "stdout.log").read_text() == f"{i}\n"


def test_a_run_cancelled_while_waiting_in_a_shared_task_is_cancelled_at_once(app, client):
    with DaskExecutor(app.runs, client=client) as executor:
        executor.map([RunSpec(command=["true"]) for _ in range(8)])
        assert executor._runs_per_task() > 1
        specs = [RunSpec(command=["sleep", "3"]), RunSpec(command=["python", "-c", "print(2)"])]
        first, second, *others = executor._submit_all(specs + [RunSpec(command=["true"])] * 6)
        assert executor._futures[first.run_id] is executor._futures[second.run_id]
        time.sleep(0.5)  # the shared task is busy with the first run
        started = time.monotonic()
        assert executor.cancel(second.run_id)
        assert second.result(timeout=5).result_class == "cancelled"
        assert time.monotonic() - started < 2  # without waiting for its task
        assert first.result(timeout=30).result_class == "succeeded"
        assert [h.result(timeout=30).result_class for h in others] == ["succeeded"] * 6
    assert app.runs.get(second.run_id).result_class == "cancelled"


def test_a_small_batch_keeps_one_run_per_task_so_every_worker_gets_some(app, client):
    with DaskExecutor(app.runs, client=client) as executor:
        executor.map([RunSpec(command=["true"]) for _ in range(8)])
        shared = executor._runs_per_task()
        assert shared > 1
        assert executor._threads() == 2
        assert executor._task_size(3) == 1  # fewer than two tasks per worker thread otherwise
        assert executor._task_size(16) == min(shared, 4)
        assert executor._task_size(64) == min(shared, 16)


def test_a_spec_that_fails_to_prepare_leaves_the_batch_before_it_running(app, client):
    specs = [RunSpec(command=["true"]) for _ in range(3)]
    specs.append(RunSpec(command=["codex"]))  # refused: interactive agent binary
    with DaskExecutor(app.runs, client=client) as executor:
        with pytest.raises(PermissionDenied):
            executor.map(specs)
        queued = list(executor._handles.values())
        records = [handle.result(timeout=60) for handle in queued]
    assert [r.result_class for r in records] == ["succeeded"] * 3


def test_a_worker_leaves_no_run_directory_behind(app):
    import tempfile
    from pathlib import Path

    from researchos.runs.remote import execute_remote, job_for

    prepared = app.runs.prepare(RunSpec(command=["python", "-c", "open('out.txt', 'w')"]))
    result = execute_remote(job_for(prepared, app.runs.sandbox, None))
    assert result.error is None and result.files == {"out.txt": b""}
    leftovers = lambda: list(Path(tempfile.gettempdir()).glob(f"researchos-{prepared.id}-*"))  # noqa: E731
    deadline = time.monotonic() + 10  # removed in the background, after the result is built
    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers() == []
