"""The hostile corpus: each script attacks the host from a real bwrap sandbox and is contained.

Every case also passes the host checks of the ``attack`` fixture: the workspace is unchanged
outside the run's own directory, no host directory was written, no process of the run
survives it, and the workspace secret appears in no log.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import threading
from pathlib import Path

import pytest


def _json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def test_loopback_of_the_host_is_out_of_reach(attack):
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(6)
    accepted: list[bytes] = []

    def serve() -> None:
        try:
            conn, _ = server.accept()
            accepted.append(conn.recv(100))
        except OSError:
            pass

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        result = attack("net_loopback", env={"HOST_PORT": str(server.getsockname()[1])})
    finally:
        server.close()
        thread.join()
    assert accepted == []
    assert _json(result.stdout)["connected"] is False
    assert result.record.result_class == "succeeded"


def test_outside_addresses_are_unreachable(attack):
    result = attack("net_outside")
    outcomes = _json(result.stdout)
    assert outcomes and all(value.startswith("blocked") for value in outcomes.values())


def test_names_do_not_resolve(attack):
    result = attack("dns")
    outcomes = _json(result.stdout)
    assert str(outcomes["pypi.org"]).startswith("failed")
    assert str(outcomes["example.com"]).startswith("failed")


def test_writes_outside_the_work_dir_stay_in_the_sandbox(attack):
    marker = "researchos-marker-" + secrets.token_hex(6)
    result = attack("write_outside", env={"MARKER": marker})
    allowed = _json(result.stdout)["allowed"]
    # only the sandbox's private /tmp accepted a write, and it is gone with the sandbox
    assert allowed == [f"/tmp/{marker}"]
    assert not Path("/tmp", marker).exists()
    assert not (result.run_dir / "escaped.txt").exists()


def test_workspace_secrets_are_invisible(attack, workspace_secret):
    result = attack("read_secrets")
    seen = _json(result.stdout)
    assert seen["read"] == {}
    # nothing from the host environment leaks in (the test runner's variables included)
    assert "RESEARCHOS_HOME" not in seen["environ"]
    assert workspace_secret not in result.stdout


def test_fork_bomb_hits_the_process_limit(attack):
    result = attack("fork_bomb", limits={"wall_time": 3})
    assert result.record.limit_fired == "processes"
    assert "wall_time" in result.record.limits_hit  # it spun until the deadline
    assert result.record.result_class == "limit_exceeded"


def test_memory_hog_hits_the_memory_limit(attack):
    result = attack("memory_hog")
    assert result.record.limit_fired == "memory"
    assert result.record.duration < 6


def test_cpu_spin_hits_the_cpu_limit(attack):
    result = attack("cpu_spin", limits={"cpu_time": 1})
    assert result.record.limit_fired == "cpu_time"
    assert result.record.duration < 4


def test_sleeping_forever_hits_the_wall_time_limit(attack):
    result = attack("sleep_forever", limits={"wall_time": 1})
    assert result.record.limit_fired == "wall_time"
    assert 1 <= result.record.duration < 3


def test_filling_the_disk_hits_the_output_limit(attack):
    result = attack("fill_disk")
    assert result.record.limit_fired == "output_size"
    written = sum(p.stat().st_size for p in (result.run_dir / "work").glob("fill-*.bin"))
    assert written < 16 * 2**20 + 128 * 2**20  # the overshoot is bounded by the sampling


def test_one_endless_file_hits_the_file_size_limit(attack):
    result = attack("big_file")
    assert result.record.limit_fired == "file_size"
    assert (result.run_dir / "work" / "big.bin").stat().st_size == 8 * 2**20


def test_printing_gigabytes_hits_the_output_limit(attack):
    result = attack("print_gigabytes")
    assert result.record.limit_fired == "output_size"
    log = result.run_dir / "logs" / "stdout.log"
    assert log.stat().st_size <= 16 * 2**20
    assert result.record.stdout_bytes > 16 * 2**20


def test_killing_the_parent_and_everyone_leaves_the_host_alone(attack):
    bystander = subprocess.Popen(["sleep", "30"])
    try:
        result = attack("kill_parent")
        assert bystander.poll() is None, "a host process was killed"
    finally:
        bystander.send_signal(signal.SIGKILL)
        bystander.wait()
    attempts = _json(result.stdout)
    assert attempts["parent"].startswith("refused")
    assert os.getppid() > 1


def test_symlinks_and_dotdot_do_not_escape(app, attack):
    result = attack("symlink_escape")
    read = _json(result.stdout)
    assert all(value.startswith("refused") for value in read.values()), read
    outputs = {o.path: o for o in result.record.outputs}
    assert outputs["leak.txt"].kind == "symlink"
    assert outputs["leak.txt"].sha256 is None  # recorded as a link, never read
    from researchos.errors import InputError
    from researchos.sandbox.bwrap import BwrapRunner

    runner = BwrapRunner(result.run_dir / "work", logs_dir=result.run_dir / "logs")
    with pytest.raises(InputError):
        runner.read_file("leak.txt")
    with pytest.raises(InputError):
        runner.read_file("up/var/secrets/token.enc")


def test_background_processes_do_not_outlive_the_run(attack, processes_with):
    marker = "researchos-daemon-" + secrets.token_hex(6)
    result = attack("background_leftover", env={"MARKER": marker})
    assert result.record.result_class == "succeeded"
    assert processes_with(marker) == []
