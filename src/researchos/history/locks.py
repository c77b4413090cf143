"""Inter-process locks (``filelock``) that serialise writers of the same content.

Order is always ARA lock first, then the workspace git lock, so two writers can never wait on
each other in a cycle.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock

LOCK_TIMEOUT_S = 120.0


def ara_lock(locks_dir: Path, slug: str) -> FileLock:
    locks_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(locks_dir / f"ara-{slug}.lock"), timeout=LOCK_TIMEOUT_S)


def named_lock(locks_dir: Path, name: str) -> FileLock:
    locks_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(locks_dir / f"{name}.lock"), timeout=LOCK_TIMEOUT_S)


def git_lock(locks_dir: Path) -> FileLock:
    return named_lock(locks_dir, "git")
