"""Spawn one sandboxed command and watch it until it ends: the loop every local runner shares.

The loop reads stdout/stderr through pipes (so the output limit is exact and the code cannot
grow our log files past it), enforces the wall-time deadline, samples the run's processes
from /proc (tasks, memory) and the work dir's size, honours cancellation, and at the end
kills whatever the run left behind. Sampling starts after a short delay so a 10 ms run pays
nothing for it.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from researchos.errors import SandboxError
from researchos.sandbox import processes, spawn
from researchos.sandbox.diskwatch import DiskWatch
from researchos.sandbox.limits import LimitName, Limits

TAIL_BYTES = 64 << 10
CHUNK = 1 << 16
FIRST_SAMPLE_S = 0.05
MAX_SAMPLE_S = 0.25
DIR_SCAN_EVERY_S = 1.0
SETTLE_S = 2.0


@dataclass
class Stream:
    """One output pipe: the full log (up to the cap) on disk and a bounded tail in memory."""

    log: IO[bytes]
    total: int = 0
    tail: bytearray = field(default_factory=bytearray)

    def take(self, data: bytes, room: int) -> None:
        self.total += len(data)
        if room > 0:
            self.log.write(data[:room])
        self.tail += data
        if len(self.tail) > TAIL_BYTES:
            del self.tail[: len(self.tail) - TAIL_BYTES]


@dataclass
class Observation:
    """What the watcher saw while the run was alive."""

    hits: list[LimitName] = field(default_factory=list)
    peak_rss: int = 0
    peak_vsize: int = 0
    peak_tasks: int = 0
    cpu_by_pid: dict[int, float] = field(default_factory=dict)
    cancelled: bool = False
    killed: bool = False

    def hit(self, name: LimitName) -> None:
        if name not in self.hits:
            self.hits.append(name)


@dataclass(frozen=True)
class Outcome:
    returncode: int
    signal: int | None
    duration: float
    cpu_time: float
    maxrss: int
    stdout: Stream
    stderr: Stream
    seen: Observation


@dataclass(frozen=True)
class Launch:
    """How to start and stop one sandboxed command."""

    argv: Sequence[str]
    env: Mapping[str, str]
    cwd: Path
    limits: Limits
    logs: tuple[Path, Path]
    stdin_path: Path | None = None
    sandbox_uid: int | None = None
    workdir: Path | None = None
    signal_offset: int = 0  # bwrap and docker report a signal as 128 + n
    contained: bool = False  # True when the kernel kills the rest with the main process
    cancel: Callable[[], bool] | None = None
    on_kill: Callable[[], None] | None = None
    passed: Sequence[int] = ()  # descriptors the child gets (numbered by ``spawn.child_fds``)
    after_spawn: Callable[[int], None] | None = None  # gets the pid; runs before the loop
    # waits up to N seconds for every process of the run to be gone; False: cannot tell
    settle: Callable[[float], bool] | None = None


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # old kernel: the loop polls at its sampling pace
        return None


class Watch:
    """The running command, its pipes and its deadline."""

    def __init__(self, launch: Launch) -> None:
        self.launch = launch
        self.seen = Observation()
        self.start = time.monotonic()
        self.deadline = self.start + launch.limits.wall_time
        self.next_sample = self.start + FIRST_SAMPLE_S
        self.sample_every = FIRST_SAMPLE_S
        self.next_dir_scan = self.start + DIR_SCAN_EVERY_S
        self.dir_bytes = 0
        self.killed = False
        self.disk: DiskWatch | None = None
        self.selector = selectors.DefaultSelector()
        self.pidfd: int | None = None
        self.streams: dict[int, Stream] = {}
        # a gated command waits for ``after_spawn``: our own set-up can overlap bwrap's
        gated = launch.after_spawn is not None
        if not gated:  # the command starts at once: see what the work dir holds before it
            self._watch_disk()
        self.proc = self._spawn()
        try:
            if gated:
                self._watch_disk()
            self._watch_process()
            if launch.after_spawn is not None:
                launch.after_spawn(self.proc.pid)
        except BaseException:
            processes.kill_tree(self.proc.pid, launch.sandbox_uid)
            _, status = os.waitpid(self.proc.pid, 0)
            self.proc.exited(os.waitstatus_to_exitcode(status))
            self._finish_streams()
            raise
        self.open = set(self.streams)

    def _watch_disk(self) -> None:
        workdir = self.launch.workdir
        self.disk = DiskWatch(workdir) if workdir else None
        self.base_size = self.disk.total if self.disk else 0
        if self.disk is not None and self.disk.live:
            self.selector.register(self.disk.fd, selectors.EVENT_READ)

    def _watch_process(self) -> None:
        # a pidfd turns "the process exited" into one more readable fd for the same select
        self.pidfd = _pidfd(self.proc.pid)
        if self.pidfd is not None:
            self.selector.register(self.pidfd, selectors.EVENT_READ)
        logs = self.launch.logs
        for fd, log in ((self.proc.stdout, logs[0]), (self.proc.stderr, logs[1])):
            os.set_blocking(fd, False)
            self.selector.register(fd, selectors.EVENT_READ)
            self.streams[fd] = Stream(log.open("wb"))

    def _spawn(self) -> spawn.Child:
        launch = self.launch
        try:
            return spawn.start(
                launch.argv,
                env=launch.env,
                cwd=launch.cwd,
                stdin=launch.stdin_path,
                passed=launch.passed,
            )
        except OSError as exc:
            raise SandboxError(
                f"could not start {launch.argv[0]}: {exc.strerror}",
                fix="run `researchos sandbox check`",
            ) from None

    # --- the loop ---------------------------------------------------------------------

    def run(self) -> Outcome:
        status, rusage = None, None
        try:
            while status is None:
                self._pump(self._timeout())
                self._check()
                status, rusage = self._poll()
            self._after_exit()
        finally:
            self._finish_streams()
        return self._outcome(status, rusage)

    def _timeout(self) -> float:
        return max(0.0, min(self.deadline, self.next_sample) - time.monotonic())

    def _pump(self, timeout: float) -> None:
        if not self.selector.get_map():
            time.sleep(min(timeout, 0.01))
            return
        for key, _ in self.selector.select(timeout):
            if self.disk is not None and key.fd == self.disk.fd:
                self._disk_grew(self.disk.read())
            elif key.fd == self.pidfd:
                self.selector.unregister(key.fd)  # exited: wait4 below collects it
            else:
                self._read(key.fd)

    def _disk_grew(self, total: int) -> None:
        self.dir_bytes = max(0, total - self.base_size)
        streamed = sum(s.total for s in self.streams.values())
        if streamed + self.dir_bytes > self.launch.limits.output_size:
            self._stop("output_size")

    def _read(self, fd: int) -> None:
        try:
            data = os.read(fd, CHUNK)
        except BlockingIOError:
            return
        if not data:
            self.selector.unregister(fd)
            self.open.discard(fd)
            return
        used = sum(s.total for s in self.streams.values()) + self.dir_bytes
        self.streams[fd].take(data, self.launch.limits.output_size - used)
        if used + len(data) > self.launch.limits.output_size:
            self._stop("output_size")

    def _check(self) -> None:
        now = time.monotonic()
        if now >= self.deadline:
            self._stop("wall_time")
        cancel = self.launch.cancel
        if cancel is not None and not self.killed and now >= self.next_sample and cancel():
            self.seen.cancelled = True
            self._kill()
        if now >= self.next_sample and not self.killed:
            self._sample(now)

    def _sample(self, now: float) -> None:
        limits = self.launch.limits
        uid = self.launch.sandbox_uid
        procs = processes.run_processes(self.proc.pid, uid, contained=self.launch.contained)
        use = processes.usage(procs)
        # the kernel counts only the sandbox uid's tasks (bwrap itself runs as the caller)
        tasks = processes.usage(p for p in procs if uid is None or p.uid == uid).tasks
        self.seen.peak_rss = max(self.seen.peak_rss, use.rss)
        self.seen.peak_vsize = max(self.seen.peak_vsize, use.vsize)
        self.seen.peak_tasks = max(self.seen.peak_tasks, tasks)
        for proc in procs:
            self.seen.cpu_by_pid[proc.pid] = proc.cpu
        if tasks >= limits.processes - 1:
            self.seen.hit("processes")
        if self.disk is not None and now >= self.next_dir_scan:
            # a full scan backs inotify up (files in a directory created a moment ago)
            self._disk_grew(self.disk.rescan())
            self.next_dir_scan = now + DIR_SCAN_EVERY_S
        self.sample_every = min(MAX_SAMPLE_S, self.sample_every * 2)
        self.next_sample = min(now + self.sample_every, self.next_dir_scan)

    def _stop(self, limit: LimitName) -> None:
        self.seen.hit(limit)
        self._kill()

    def _kill(self) -> None:
        if self.killed:
            return
        self.killed = self.seen.killed = True
        if self.launch.on_kill is not None:
            self.launch.on_kill()
        processes.kill_tree(self.proc.pid, self.launch.sandbox_uid)

    def _poll(self) -> tuple[int | None, Any]:
        pid, status, rusage = os.wait4(self.proc.pid, os.WNOHANG)
        if pid == 0:
            return None, None
        self.proc.exited(os.waitstatus_to_exitcode(status))
        return status, rusage

    def _after_exit(self) -> None:
        """The main process is gone: nothing it started may outlive it."""
        self._drain(0.1)
        uid = self.launch.sandbox_uid
        if not self.launch.contained:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            if self.open:
                processes.kill_tree(self.proc.pid, uid)
        # a PID namespace dies with its init, but its last members may still be exiting
        if self.launch.settle is not None and self.launch.settle(SETTLE_S):
            pass  # the kernel has reaped them all: no scan of /proc needed
        elif uid is not None and processes.uid_has_processes(uid):
            processes.kill_uid(uid)
            until = time.monotonic() + 2.0
            while processes.uid_has_processes(uid) and time.monotonic() < until:
                time.sleep(0.01)
        self._drain(2.0)

    def _drain(self, seconds: float) -> None:
        until = time.monotonic() + seconds
        while self.open and time.monotonic() < until:
            self._pump(0.02)

    def _finish_streams(self) -> None:
        if self.proc.returncode is None:  # an exception escaped the loop
            self._kill()
            with contextlib.suppress(ChildProcessError):
                os.wait4(self.proc.pid, 0)
        self.selector.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
        if self.disk is not None:
            self.disk.close()
        for stream in self.streams.values():
            stream.log.close()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for fd in (self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _outcome(self, status: int, rusage: Any) -> Outcome:
        duration = time.monotonic() - self.start
        code = os.waitstatus_to_exitcode(status)
        sig = -code if code < 0 else None
        offset = self.launch.signal_offset
        if sig is None and offset and code > offset and code - offset < signal.NSIG:
            sig = code - offset
        streams = list(self.streams.values())
        return Outcome(
            returncode=code,
            signal=sig,
            duration=duration,
            # bwrap's reaper hides its children's rusage: take the sampled sum when larger
            cpu_time=max(rusage.ru_utime + rusage.ru_stime, sum(self.seen.cpu_by_pid.values())),
            maxrss=rusage.ru_maxrss * 1024,
            stdout=streams[0],
            stderr=streams[1],
            seen=self.seen,
        )


def watch(launch: Launch) -> Outcome:
    """Run ``launch`` to the end (or to a limit) and say what happened."""
    return Watch(launch).run()
