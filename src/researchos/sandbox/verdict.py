"""Which limit stopped a run: what the watcher saw, then what the exit tells.

Some limits announce themselves (the wall-time deadline, the output cap, SIGXCPU, SIGXFSZ);
others only show in their effects: an allocation that fails under RLIMIT_AS, a fork that
fails under RLIMIT_NPROC, a file that stopped growing exactly at the size limit. The order of
``limits_hit`` is the order things were noticed; the first one is the limit that fired.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

from researchos.sandbox.execution import Outcome
from researchos.sandbox.limits import LimitName, Limits
from researchos.sandbox.result import ExecResult

_MEMORY = re.compile(
    rb"MemoryError|Cannot allocate memory|Unable to allocate|std::bad_alloc|out of memory",
    re.IGNORECASE,
)
_PROCESSES = re.compile(
    rb"Resource temporarily unavailable|can't start new thread|fork: retry|Cannot fork"
    rb"|pthread_create failed",
)
_FILE_SIZE = re.compile(rb"File too large|File size limit exceeded")


def largest_file(root: Path) -> int:
    biggest = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            try:
                biggest = max(biggest, os.lstat(os.path.join(dirpath, name)).st_size)
            except OSError:
                continue
    return biggest


def _file_stopped_at_limit(err: bytes, workdir: Path | None, limits: Limits) -> bool:
    if _FILE_SIZE.search(err):
        return True
    return workdir is not None and largest_file(workdir) >= limits.file_size


def limits_hit(outcome: Outcome, limits: Limits, workdir: Path | None) -> list[LimitName]:
    hits: list[LimitName] = list(outcome.seen.hits)

    def add(name: LimitName) -> None:
        if name not in hits:
            hits.append(name)

    sig, err = outcome.signal, bytes(outcome.stderr.tail)
    failed = outcome.returncode != 0
    if sig == signal.SIGXCPU or (
        sig == signal.SIGKILL and outcome.cpu_time >= limits.effective_cpu_time - 0.5
    ):
        add("cpu_time")
    if sig == signal.SIGXFSZ or (failed and _file_stopped_at_limit(err, workdir, limits)):
        add("file_size")
    if failed and (_MEMORY.search(err) or outcome.seen.peak_vsize >= 0.9 * limits.memory):
        add("memory")
    if failed and _PROCESSES.search(err):
        add("processes")
    return hits


def limit_fired(hits: list[LimitName], outcome: Outcome) -> LimitName | None:
    """The first limit hit, unless the run still ended cleanly on its own."""
    if not hits or (outcome.returncode == 0 and not outcome.seen.killed):
        return None
    return hits[0]


def to_result(
    outcome: Outcome,
    *,
    runner: str,
    isolation: str,
    limits: Limits,
    workdir: Path | None,
    logs: tuple[Path, Path],
    sandbox_uid: int | None = None,
    notes: tuple[str, ...] = (),
) -> ExecResult:
    hits = limits_hit(outcome, limits, workdir)
    return ExecResult(
        returncode=outcome.returncode,
        stdout=bytes(outcome.stdout.tail).decode("utf-8", "replace"),
        stderr=bytes(outcome.stderr.tail).decode("utf-8", "replace"),
        stdout_log=logs[0],
        stderr_log=logs[1],
        duration=outcome.duration,
        cpu_time=outcome.cpu_time,
        peak_memory=max(outcome.maxrss, outcome.seen.peak_rss),
        limit_fired=None if outcome.seen.cancelled else limit_fired(hits, outcome),
        limits_hit=tuple(hits),
        runner=runner,
        isolation=isolation,
        signal=outcome.signal,
        cancelled=outcome.seen.cancelled,
        stdout_bytes=outcome.stdout.total,
        stderr_bytes=outcome.stderr.total,
        sandbox_uid=sandbox_uid,
        notes=notes,
    )
