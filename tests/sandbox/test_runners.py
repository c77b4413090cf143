"""The runner kinds here: bwrap for real, process behind its flag, docker stepping aside."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from researchos.errors import ConfigError, InputError, PermissionDenied, SandboxError, UnsafeInput
from researchos.sandbox import Limits, RunnerOptions, Sandbox, SandboxConfig, tools
from researchos.sandbox import docker as docker_runner
from researchos.sandbox.bwrap import BwrapRunner
from researchos.sandbox.handshake import Handshake
from researchos.sandbox.process import ProcessRunner

SMALL = Limits(wall_time=20, memory=1 << 30, processes=64)


@pytest.fixture
def bwrap(tmp_path: Path) -> BwrapRunner:
    return BwrapRunner(tmp_path / "work", logs_dir=tmp_path / "logs")


def test_the_scientific_stack_imports_offline(bwrap):
    code = (
        "import numpy, scipy, sklearn, matplotlib\n"
        "import matplotlib.pyplot as plt\n"
        "from sklearn.datasets import load_iris\n"
        "X, y = load_iris(return_X_y=True)\n"
        "plt.plot(X[:, 0]); plt.savefig('fig.png')\n"
        "print(X.shape)\n"
    )
    bwrap.write_file("kit.py", code)
    result = bwrap.exec(["python", "kit.py"], limits=Limits(wall_time=60, memory=4 << 30))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(150, 4)"
    assert bwrap.read_file("fig.png").startswith(b"\x89PNG")


def test_runs_as_an_unprivileged_uid_with_no_host_environment(bwrap, monkeypatch):
    monkeypatch.setenv("HOST_ONLY_VARIABLE", "leak")
    result = bwrap.exec(
        ["python", "-c", "import os; print(os.getuid(), os.environ.get('HOST_ONLY_VARIABLE'))"],
        env={"MINE": "1"},
        limits=SMALL,
    )
    uid, leaked = result.stdout.split()
    assert int(uid) != 0
    assert leaked == "None"
    assert result.isolation == "namespaces"


# the uid switch inside bwrap: GNU chroot where coreutils has it, setpriv otherwise
UID_SWITCHES = ["setpriv", *(["chroot"] if tools.gnu_chroot() else [])]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root switches to a dedicated uid")
@pytest.mark.parametrize("switch", UID_SWITCHES)
def test_root_keeps_no_privilege_whichever_program_switches_uid(bwrap, monkeypatch, switch):
    if switch == "setpriv":
        monkeypatch.setattr(tools, "gnu_chroot", lambda: None)
    result = bwrap.exec(["cat", "/proc/self/status"], limits=SMALL)
    assert result.returncode == 0, result.stderr
    status = dict(line.split(":", 1) for line in result.stdout.splitlines())
    uid = result.sandbox_uid
    assert uid is not None
    assert status["Uid"].split() == [str(uid)] * 4
    assert status["Gid"].split() == [str(uid)] * 4
    assert status["Groups"].strip() == ""
    for capabilities in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        assert int(status[capabilities], 16) == 0, capabilities
    assert status["NoNewPrivs"].strip() == "1"


def test_nothing_is_left_of_the_sandbox_when_exec_returns(bwrap, processes_with):
    marker = "researchos-leftover-" + secrets.token_hex(6)
    script = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '{marker}'],"
        " start_new_session=True)\n"
    )
    result = bwrap.exec(["python", "-c", script], limits=SMALL)
    assert result.returncode == 0, result.stderr
    assert processes_with(marker) == []  # gone before exec returned, not a moment later


def test_a_handshake_without_a_pidfd_cannot_vouch_for_the_sandbox():
    handshake = Handshake(SMALL)
    try:
        assert handshake.sandbox_gone(0.01) is False  # the caller then scans /proc
    finally:
        handshake.abandon()


def test_files_in_and_out_stay_inside_the_work_dir(bwrap):
    bwrap.write_file("data/in.txt", "42")
    result = bwrap.exec(["sh", "-c", "cat in.txt > out.txt; pwd"], cwd="data", limits=SMALL)
    assert result.stdout.strip() == "/sandbox/work/data"
    assert bwrap.read_file("data/out.txt") == b"42"
    with pytest.raises(UnsafeInput):
        bwrap.write_file("../escape.txt", "x")
    with pytest.raises(UnsafeInput):
        bwrap.write_file("/etc/escape.txt", "x")
    with pytest.raises(UnsafeInput):
        bwrap.exec(["true"], cwd="../..")
    with pytest.raises(InputError):
        bwrap.read_file("data")


def test_stdin_reaches_the_command(bwrap):
    result = bwrap.exec(
        ["python", "-c", "import sys; print(sys.stdin.read()[::-1])"], stdin="olleh", limits=SMALL
    )
    assert result.stdout.strip() == "hello"


def test_output_is_bounded_in_memory_and_whole_on_disk(bwrap):
    result = bwrap.exec(["python", "-c", "print('z' * 300_000)"], limits=SMALL, log_prefix="big.")
    assert len(result.stdout) <= 64 * 1024
    assert result.stdout_bytes == 300_001
    assert result.stdout_log.name == "big.stdout.log"
    assert result.stdout_log.stat().st_size == 300_001


def test_each_exec_keeps_its_own_logs(bwrap):
    first = bwrap.exec(["echo", "one"], limits=SMALL)
    second = bwrap.exec(["echo", "two"], limits=SMALL)
    assert first.stdout_log != second.stdout_log
    assert first.stdout_log.read_text() == "one\n"
    assert second.stdout_log.read_text() == "two\n"


def test_cancelling_kills_the_command(bwrap):
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    result = bwrap.exec(["sleep", "30"], limits=SMALL, cancel=stop)
    assert result.cancelled and result.limit_fired is None
    assert time.monotonic() - started < 3


def test_missing_program_is_an_ordinary_failure(bwrap):
    result = bwrap.exec(["no-such-program-xyz"], limits=SMALL)
    assert result.returncode == 127
    assert "no-such-program-xyz" in result.stderr


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory a dropped uid can traverse (pytest's tmp dirs are 0700)."""
    path = Path(tempfile.mkdtemp(prefix="researchos-test-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_process_runner_is_refused_unless_allowed(open_dir):
    runner = ProcessRunner(open_dir / "work", logs_dir=open_dir / "logs")
    with pytest.raises(PermissionDenied, match="unisolated"):
        runner.exec(["true"])
    with pytest.raises(PermissionDenied):
        Sandbox(SandboxConfig(runner="process")).resolve()


def test_process_runner_enforces_limits_and_says_unisolated(open_dir):
    runner = ProcessRunner(
        open_dir / "work",
        logs_dir=open_dir / "logs",
        options=RunnerOptions(allow_unisolated=True),
    )
    spin = runner.exec(["python3", "-c", "while True: pass"], limits=Limits(cpu_time=1))
    assert spin.limit_fired == "cpu_time"
    assert spin.isolation == "unisolated"
    assert any("unisolated" in note for note in spin.notes)
    who = runner.exec(["python3", "-c", "import os; print(os.getuid())"], limits=SMALL)
    assert int(who.stdout) != 0


# as a normal user RLIMIT_NPROC counts every process of the user, not just the run's
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: a dedicated uid per run")
def test_process_runner_bounds_a_fork_bomb_as_root(open_dir):
    runner = ProcessRunner(
        open_dir / "work",
        logs_dir=open_dir / "logs",
        options=RunnerOptions(allow_unisolated=True),
    )
    bomb = runner.exec(
        ["python3", "-c", "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass"],
        limits=Limits(wall_time=2, processes=16),
    )
    assert bomb.limit_fired == "processes"
    assert bomb.sandbox_uid is not None


@pytest.fixture
def no_probe_cache() -> Iterator[None]:
    docker_runner._probe.cache_clear()
    yield
    docker_runner._probe.cache_clear()


def test_docker_steps_aside_when_no_daemon_answers(monkeypatch, no_probe_cache):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    started = time.monotonic()
    found = docker_runner.DockerRunner.probe()
    assert time.monotonic() - started < 1
    assert not found.available
    assert "no Docker daemon" in found.reason or "client not installed" in found.reason
    with pytest.raises(SandboxError, match="cannot run here"):
        Sandbox(SandboxConfig(runner="docker")).resolve()
    assert Sandbox().resolve().kind == "bwrap"


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker client")
def test_docker_steps_aside_when_the_daemon_port_is_closed(monkeypatch, no_probe_cache):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
    started = time.monotonic()
    found = docker_runner.DockerRunner.probe()
    assert not found.available
    assert time.monotonic() - started < docker_runner.PROBE_TIMEOUT_S + 1


def test_docker_command_line_carries_every_limit(tmp_path):
    argv = docker_runner.docker_argv(
        name="researchos-x",
        image="python:3.11-slim",
        workdir=tmp_path,
        cwd=".",
        limits=Limits(memory=1 << 30, processes=32, cpus=2),
        env={"A": "1"},
        user="65534:65534",
    )
    line = " ".join(argv)
    for part in (
        "--network none",
        f"--memory {1 << 30}",
        "--pids-limit 32",
        "--cpus 2",
        "--read-only",
        "--cap-drop ALL",
        "no-new-privileges",
        "-e A=1",
    ):
        assert part in line
    assert argv[-1] == "python:3.11-slim"


def test_unknown_runner_kind_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown sandbox runner"):
        Sandbox(SandboxConfig(runner="vm")).resolve()


def test_check_reports_every_kind():
    kinds = {a.kind: a for a in Sandbox().check()}
    assert set(kinds) >= {"bwrap", "docker", "process"}
    assert kinds["bwrap"].available, kinds["bwrap"].reason
