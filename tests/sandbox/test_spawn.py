"""Starting a run's first process: what the child gets, and that other threads keep running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from researchos.sandbox import spawn

# what a child reports about itself, as JSON on stdout
REPORT = """
import json, os, sys
print(json.dumps({
    'fds': sorted(int(fd) for fd in os.listdir('/proc/self/fd')),
    'own_session': os.getsid(0) == os.getpid(),
    'cwd': os.getcwd(),
    'env': dict(os.environ),
    'stdin': sys.stdin.read(),
    'passed': os.read(int(sys.argv[1]), 100).decode(),
}))
"""

BACKENDS = ["popen", *(["posix_spawn"] if spawn._libc() is not None else [])]


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch) -> str:
    if request.param == "popen":
        monkeypatch.setattr(spawn, "_libc", lambda: None)
    return str(request.param)


def _finish(child: spawn.Child) -> tuple[int, bytes, bytes]:
    _, status = os.waitpid(child.pid, 0)
    child.exited(os.waitstatus_to_exitcode(status))
    outputs = []
    for fd in (child.stdout, child.stderr):
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        os.close(fd)
        outputs.append(b"".join(chunks))
    return child.returncode or 0, outputs[0], outputs[1]


def test_the_child_gets_exactly_its_descriptors_session_signals_and_environment(
    backend, tmp_path: Path
):
    stdin = tmp_path / "stdin"
    stdin.write_text("from stdin")
    reader, writer = os.pipe()
    os.write(writer, b"handed over")
    os.close(writer)
    stray = os.open(os.devnull, os.O_RDONLY)  # must not reach the child
    os.set_inheritable(stray, True)
    (number,) = spawn.child_fds([reader])
    try:
        child = spawn.start(
            [sys.executable, "-c", REPORT, str(number)],
            env={"ONLY": "this", "PATH": os.environ["PATH"]},
            cwd=tmp_path,
            stdin=stdin,
            passed=[reader],
        )
        code, out, err = _finish(child)
    finally:
        os.close(reader)
        os.close(stray)
    assert code == 0, err
    seen = json.loads(out)
    listing = min(set(range(64)) - {0, 1, 2, number})  # the child's own listdir descriptor
    assert seen["fds"] == sorted({0, 1, 2, number, listing})
    assert seen["own_session"]
    assert Path(seen["cwd"]) == tmp_path
    assert {k: v for k, v in seen["env"].items() if k != "LC_CTYPE"} == {
        "ONLY": "this",
        "PATH": os.environ["PATH"],
    }
    assert seen["stdin"] == "from stdin"
    assert seen["passed"] == "handed over"


def test_the_child_starts_with_default_signals_although_python_ignores_some(
    backend, tmp_path: Path
):
    # Python ignores SIGPIPE and SIGXFSZ; the file size limit needs SIGXFSZ at its default
    argv = ["cat", "/proc/self/status"]
    child = spawn.start(argv, env=dict(os.environ), cwd=tmp_path, stdin=None)
    code, out, _ = _finish(child)
    status = dict(line.split(":", 1) for line in out.decode().splitlines())
    assert code == 0
    ignored, blocked = int(status["SigIgn"], 16), int(status["SigBlk"], 16)
    # only the two Python sets matter: the environment running the tests may ignore others
    # (e.g. a CI harness), and Popen passes those on as every shell does
    for signum in (signal.SIGPIPE, signal.SIGXFSZ):
        assert not ignored & (1 << (signum - 1)), signum
        assert not blocked & (1 << (signum - 1)), signum


def test_a_missing_program_is_an_os_error(backend, tmp_path: Path):
    with pytest.raises(OSError):
        spawn.start(["no-such-program-here"], env={"PATH": "/usr/bin"}, cwd=tmp_path, stdin=None)
    with pytest.raises(OSError):
        spawn.start([str(tmp_path / "missing")], env={}, cwd=tmp_path, stdin=None)


@pytest.mark.skipif("posix_spawn" not in BACKENDS, reason="glibc without posix_spawn extras")
def test_other_threads_run_while_a_child_starts(tmp_path: Path):
    # the child opens its stdin, a FIFO, before it execs: that open waits for a writer, and
    # the writer is a thread of this process, which can only run if the GIL is free
    fifo = tmp_path / "stdin"
    os.mkfifo(fifo)
    # a last resort in another process, so a held GIL fails the test instead of hanging it
    rescue = subprocess.Popen(["sh", "-c", f"sleep 5; exec 3>'{fifo}'"])

    def write() -> None:
        time.sleep(0.3)  # until the spawn is under way; then this thread needs the GIL
        os.close(os.open(fifo, os.O_WRONLY))

    writer = threading.Thread(target=write)
    try:
        started = time.monotonic()
        writer.start()
        child = spawn.start(["cat"], env={}, cwd=tmp_path, stdin=fifo)
        elapsed = time.monotonic() - started
        _finish(child)
    finally:
        rescue.kill()
        rescue.wait()
        writer.join()
    assert elapsed < 4, "only the rescue process unblocked the spawn: the GIL was held"
