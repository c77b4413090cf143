"""Who a sandboxed process runs as.

Root is exempt from RLIMIT_NPROC, so a run started by root would have no process limit. When
ResearchOS runs as root it therefore gives every run its own unprivileged uid, taken from a
range no distribution assigns (systemd's "unused" range above container uids). A slot is held
by an flock for the length of the run, so concurrent runs never share a uid and never share a
process budget. As a normal user the run keeps the caller's uid inside a user namespace and
the limit is set inside that namespace (see docs/sandbox.md).
"""

from __future__ import annotations

import fcntl
import os
import random
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from researchos.errors import SandboxError

UID_BASE = 1_900_000_000
UID_SLOTS = 4096


def is_root() -> bool:
    return os.geteuid() == 0


@lru_cache(maxsize=1)
def _slots_dir() -> Path:
    for base in (Path("/run"), Path(tempfile.gettempdir())):
        candidate = base / "researchos-sandbox-uids"
        try:
            candidate.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            continue
        if candidate.is_dir() and os.access(candidate, os.W_OK):
            return candidate
    raise SandboxError(
        "no writable directory for sandbox uid slots", fix="make /run or $TMPDIR writable"
    )


@contextmanager
def sandbox_uid() -> Iterator[int | None]:
    """A dedicated uid for one run when we are root (None otherwise), held until exit."""
    if not is_root():
        yield None
        return
    directory = _slots_dir()
    if not directory.is_dir():  # removed since (a tmp cleaner): make it again
        _slots_dir.cache_clear()
        directory = _slots_dir()
    start = random.randrange(UID_SLOTS)
    for step in range(UID_SLOTS):
        slot = (start + step) % UID_SLOTS
        fd = os.open(f"{directory}/{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield UID_BASE + slot
        finally:
            os.close(fd)
        return
    raise SandboxError(f"all {UID_SLOTS} sandbox uids are in use", fix="run fewer runs at once")


def reachable_by_others(path: Path) -> bool:
    """Whether a uid that is neither owner nor group member can reach ``path``."""
    path = path.resolve()
    for parent in [*reversed(path.parents), path]:
        mode = parent.stat().st_mode
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
    return True


def hand_over(root: Path, uid: int) -> None:
    """Give the work dir tree to ``uid`` (links themselves, never their targets)."""
    os.chown(root, uid, uid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), uid, uid)
