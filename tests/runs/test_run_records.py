"""A run leaves a complete, reproducible record on disk, in the store and in its ARA."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from researchos.errors import Conflict, NotFound, PermissionDenied, UnsafeInput
from researchos.runs.models import RunSpec
from researchos.runs.record import code_hash, copy_code


def test_a_run_records_everything_needed_to_reproduce_it(app, experiment):
    record = app.runs.run(
        RunSpec(
            command=["python", "train.py"],
            code_dir=experiment,
            seed=7,
            condition="adam",
            env={"API_TOKEN": "hunter2", "MODE": "fast"},
        )
    )
    assert record.result_class == "succeeded", record.error or record.notes
    assert record.execution_mode == "headless"
    assert (record.runner, record.isolation) == ("bwrap", "namespaces")
    assert record.seed == 7 and record.condition == "adam"
    assert len(record.code_hash) == 64 and record.code_files == 2  # __pycache__ left out
    assert record.environment["python_version"].count(".") == 2
    assert len(record.environment["packages_hash"]) == 64
    assert record.limits["wall_time"] == 3600.0
    assert record.env == {"API_TOKEN": "[REDACTED]", "MODE": "fast"}
    outputs = {o.path: o for o in record.outputs}
    assert set(outputs) == {"metrics.jsonl"}  # the code copy is input, not output
    run_dir = app.workspace.runs_dir / record.id
    metrics = run_dir / "work" / "metrics.jsonl"
    assert json.loads(metrics.read_text())["seed"] == 7
    from researchos.files import sha256_file

    assert outputs["metrics.jsonl"].sha256 == sha256_file(metrics)
    assert (run_dir / "logs" / "stdout.log").read_text().startswith("seed 7 run run-")
    assert (run_dir / "logs" / "stderr.log").read_text() == "to stderr\n"
    on_disk = json.loads((run_dir / "record.json").read_text())
    assert on_disk == app.runs.get(record.id).model_dump(mode="json")


def test_code_hash_follows_content_and_exec_bit(tmp_path, experiment):
    first = code_hash(copy_code(experiment, {}, tmp_path / "a"))
    assert code_hash(copy_code(experiment, {}, tmp_path / "b")) == first
    (experiment / "train.py").chmod(0o755)
    assert code_hash(copy_code(experiment, {}, tmp_path / "c")) != first
    (experiment / "lib" / "helpers.py").write_text("VALUE = 2\n")
    assert code_hash(copy_code(experiment, {}, tmp_path / "d")) != first


def test_code_trees_with_links_are_refused(tmp_path, experiment):
    (experiment / "secret").symlink_to("/etc/passwd")
    with pytest.raises(UnsafeInput, match="symlinks"):
        copy_code(experiment, {}, tmp_path / "dest")


def test_an_ara_run_keeps_its_log_as_evidence(app, experiment):
    app.aras.create(title="Seeds", slug="seeds")
    record = app.runs.run(
        RunSpec(command=["python", "train.py"], code_dir=experiment, seed=3, ara="seeds")
    )
    assert record.evidence == f"evidence/raw/{record.id}.log"
    evidence = app.workspace.ara_path("seeds") / record.evidence
    text = evidence.read_text()
    assert f"run: {record.id}" in text and "seed 3" in text and "to stderr" in text
    log = subprocess.run(
        ["git", "log", "-1", "--format=%B"],
        cwd=app.workspace.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert log.startswith("evidence.add(seeds)")
    assert f"Researchos-Run: {record.id}" in log


def test_an_unknown_ara_is_refused_before_anything_runs(app):
    with pytest.raises(NotFound):
        app.runs.prepare(RunSpec(command=["true"], ara="nope"))
    assert list(app.workspace.runs_dir.iterdir()) == []


def test_interactive_agents_are_refused_at_submission(app):
    with pytest.raises(PermissionDenied):
        app.runs.prepare(RunSpec(command=["env", "claude", "-p", "do it"]))


def test_a_failing_run_is_recorded_as_failed(app):
    record = app.runs.run(RunSpec(command=["python", "-c", "raise SystemExit(3)"]))
    assert (record.result_class, record.exit_code, record.limit_fired) == ("failed", 3, None)


def test_a_run_stopped_by_a_limit_names_it(app):
    record = app.runs.run(RunSpec(command=["sleep", "30"], limits={"wall_time": 0.5}))
    assert (record.result_class, record.limit_fired) == ("limit_exceeded", "wall_time")
    row = app.runs.list(status="finished")[0]
    assert row.id == record.id and row.limit_fired == "wall_time"


def test_a_sandbox_that_cannot_start_is_recorded(app):
    record = app.runs.run(RunSpec(command=["true"], runner="process"))
    assert record.result_class == "sandbox_error"
    assert "unisolated" in (record.error or "")


def test_runs_are_listed_and_found_by_prefix(app):
    first = app.runs.run(RunSpec(command=["true"], label="one"))
    second = app.runs.run(RunSpec(command=["true"], label="two"))
    assert [r.id for r in app.runs.list()] == [second.id, first.id]
    assert app.runs.get(second.id[:-2]).id == second.id
    with pytest.raises(NotFound):
        app.runs.get("run-nope")


def test_cancelling_a_finished_run_is_a_conflict(app):
    record = app.runs.run(RunSpec(command=["true"]))
    with pytest.raises(Conflict):
        app.runs.request_cancel(record.id)


def test_a_queued_run_whose_owner_is_gone_is_cancelled_at_once(app):
    prepared = app.runs.prepare(RunSpec(command=["true"]))
    dead = subprocess.Popen(["true"])
    dead.wait()
    record = prepared.record.model_copy(update={"owner_pid": dead.pid})
    app.runs._save(prepared.run_dir, record)
    cancelled = app.runs.request_cancel(prepared.id)
    assert (cancelled.status, cancelled.result_class) == ("finished", "cancelled")


def test_every_run_writes_only_its_own_directory(app, experiment):
    from researchos.runs.executors import LocalExecutor

    specs = [
        RunSpec(command=["python", "train.py"], code_dir=experiment, seed=seed) for seed in range(6)
    ]
    with LocalExecutor(app.runs, workers=3) as executor:
        records = executor.map(specs)
    assert len({r.id for r in records}) == 6
    for record in records:
        metrics = app.workspace.runs_dir / record.id / "work" / "metrics.jsonl"
        assert json.loads(metrics.read_text())["seed"] == record.seed
    assert {p.name for p in Path(app.workspace.runs_dir).iterdir()} == {r.id for r in records}


def test_every_state_of_a_run_reaches_the_store(database_url, clean_env, monkeypatch):
    from researchos.app import build_app
    from researchos.settings import load_settings

    monkeypatch.setenv("RESEARCHOS_DATABASE_URL", database_url)
    app = build_app(load_settings(log_file=False), create=True)
    prepared = app.runs.prepare(RunSpec(command=["true"], label="states"))
    assert app.runs.get(prepared.id).status == "queued"  # first save inserts the row
    app.runs.mark_running(prepared)
    assert app.runs.get(prepared.id).status == "running"  # later ones update it
    record = app.runs.execute(prepared)
    stored = app.runs.get(prepared.id)
    assert (stored.status, stored.result_class) == ("finished", "succeeded")
    assert stored == record
    assert [r.id for r in app.runs.list(status="finished")] == [prepared.id]
    app.close()
