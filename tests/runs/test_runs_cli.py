"""`researchos sandbox run|check` and `researchos runs ls|show|logs|cancel` end to end."""

from __future__ import annotations

import json

from researchos.runs.models import RunSpec


def test_sandbox_run_prints_its_record(app, cli):
    done = cli("sandbox", "run", "--json", "--", "python", "-c", "print(6 * 7)")
    assert done.code == 0, done.err
    record = json.loads(done.out)
    assert record["result_class"] == "succeeded"
    assert record["runner"] == "bwrap" and record["execution_mode"] == "headless"
    assert cli("runs", "logs", record["id"]).out == "42\n"


def test_sandbox_run_applies_per_run_limits_and_fails_loudly(app, cli):
    done = cli("sandbox", "run", "--timeout", "0.5", "--json", "--", "sleep", "10")
    assert done.code == 1
    record = json.loads(done.out)
    assert record["limit_fired"] == "wall_time"
    assert record["limits"]["wall_time"] == 0.5
    tight = cli(
        "sandbox",
        "run",
        "--memory",
        "64m",
        "--json",
        "--",
        "python",
        "-c",
        "x = bytearray(512 << 20)",
    )
    assert json.loads(tight.out)["limit_fired"] == "memory"


def test_sandbox_run_refuses_agents_and_unisolated_runs(app, cli):
    agent = cli("sandbox", "run", "--", "sh", "-c", "claude -p hi")
    assert agent.code == 1 and "headless" in agent.err
    unisolated = cli("sandbox", "run", "--runner", "process", "--json", "--", "true")
    assert unisolated.code == 1
    assert "RESEARCHOS_ALLOW_UNISOLATED" in json.loads(unisolated.out)["error"]


def test_sandbox_check_explains_each_runner(app, cli):
    done = cli("sandbox", "check", "--json")
    report = json.loads(done.out)
    kinds = {r["kind"]: r for r in report["runners"]}
    assert report["auto"] == "bwrap"
    assert kinds["docker"]["available"] is False and kinds["docker"]["reason"]
    assert "bwrap" in cli("sandbox", "check").out


def test_runs_ls_show_logs(app, cli):
    record = app.runs.run(RunSpec(command=["sh", "-c", "echo out; echo err >&2"], label="demo"))
    listed = json.loads(cli("runs", "ls", "--json").out)
    assert listed[0]["id"] == record.id and listed[0]["label"] == "demo"
    shown = json.loads(cli("runs", "show", record.id, "--json").out)
    assert shown["code_hash"] == record.code_hash
    assert cli("runs", "logs", record.id, "--stderr").out == "err\n"
    assert "succeeded" in cli("runs", "show", record.id).out
    missing = cli("runs", "show", "run-0000")
    assert missing.code == 1 and "runs ls" in missing.err


def test_runs_cancel(app, cli):
    queued = app.runs.prepare(RunSpec(command=["true"]))
    done = cli("runs", "cancel", queued.id, "--json")
    assert json.loads(done.out)["status"] == "cancelling"
    assert queued.cancel_flag.exists()
    record = app.runs.execute(queued)
    assert record.result_class == "cancelled"
    again = cli("runs", "cancel", queued.id)
    assert again.code == 1 and "already finished" in again.err
