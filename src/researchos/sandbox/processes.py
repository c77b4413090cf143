"""The processes of one run, read from /proc: counting, measuring and killing them.

A run's processes are either every task of its dedicated sandbox uid (when ResearchOS runs as
root it gives each run its own uid, see ``identity``) or the descendants of the process it
spawned. Counting threads matters because RLIMIT_NPROC counts threads too.

A run inside a PID namespace cannot leave its process tree (orphans are adopted by the
namespace's init), so sampling it follows the tree through the kernel's children lists and
reads a handful of /proc entries instead of every process on the machine (a scan of ~100
processes costs 1-2 ms of CPU, paid at every sample of every run).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcInfo:
    pid: int
    ppid: int
    uid: int
    threads: int
    rss: int
    vsize: int
    cpu: float  # user + system seconds of this process (its own threads, not its children)


def _read(pid: int) -> ProcInfo | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read()
        uid = os.stat(f"/proc/{pid}").st_uid
    except OSError:  # gone between listing and reading
        return None
    rest = raw[raw.rindex(b")") + 2 :].split()
    return ProcInfo(
        pid=pid,
        ppid=int(rest[1]),
        uid=uid,
        threads=int(rest[17]),
        vsize=int(rest[20]),
        rss=int(rest[21]) * PAGE,
        cpu=(int(rest[11]) + int(rest[12])) / TICKS,
    )


def snapshot() -> list[ProcInfo]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (info := _read(int(entry))) is not None:
            found.append(info)
    return found


def descendants(root: int, procs: Iterable[ProcInfo]) -> list[ProcInfo]:
    """``root`` and every process below it."""
    children: dict[int, list[ProcInfo]] = {}
    by_pid = {}
    for info in procs:
        children.setdefault(info.ppid, []).append(info)
        by_pid[info.pid] = info
    out = [by_pid[root]] if root in by_pid else []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child.pid)
    return out


@lru_cache(maxsize=1)
def _children_lists() -> bool:
    """Whether this kernel has /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN)."""
    return os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:  # gone
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def tree(root: int) -> list[ProcInfo] | None:
    """``root`` and its descendants from the children lists (None: the kernel has none)."""
    if not _children_lists():
        return None
    found: list[ProcInfo] = []
    stack, seen = [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        info = _read(pid)
        if info is not None:
            found.append(info)
            stack.extend(_children(pid))
    return found


def run_processes(root: int, uid: int | None, *, contained: bool = False) -> list[ProcInfo]:
    """The processes that belong to one run right now.

    ``contained``: the run lives in its own PID namespace below ``root``, so its tree is all
    of it (a dedicated uid has no process outside that namespace either).
    """
    if contained and (found := tree(root)) is not None:
        return found
    procs = snapshot()
    mine = {p.pid: p for p in descendants(root, procs)}
    if uid is not None:
        mine.update({p.pid: p for p in procs if p.uid == uid})
    return list(mine.values())


@dataclass(frozen=True)
class Usage:
    tasks: int
    rss: int
    vsize: int


def usage(procs: Iterable[ProcInfo]) -> Usage:
    items = list(procs)
    return Usage(
        tasks=sum(p.threads for p in items),
        rss=sum(p.rss for p in items),
        vsize=max((p.vsize for p in items), default=0),
    )


def kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid``: a child that becomes ``uid`` calls kill(-1).

    kill(-1) from inside the uid reaches every process the uid owns in one system call, so a
    fork bomb cannot outrun it the way a scan-then-kill loop can. Only for dedicated sandbox
    uids (never a real user's uid), and only when we are root.
    """
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def kill_tree(root: int, uid: int | None) -> None:
    """SIGKILL the process group started at ``root``, its descendants and (if any) its uid."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(root, signal.SIGKILL)
    for _ in range(3):
        procs = [p for p in run_processes(root, None) if p.pid != root]
        for info in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(info.pid, signal.SIGKILL)
        if not procs:
            break
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(root, signal.SIGKILL)
    if uid is not None:
        kill_uid(uid)


def uid_has_processes(uid: int) -> bool:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    return True
            except OSError:
                continue
    return False
