"""How much a run has written into its work dir, seen as it happens (Linux inotify).

Polling the directory every few hundred milliseconds lets a fast writer put hundreds of
megabytes on disk between two looks. inotify tells us about every write as it lands: the
watcher keeps the size of each file and a running total, so the output limit fires within
one event-loop turn. New subdirectories get their own watch; a queue overflow (or no inotify
at all) falls back to a full scan.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

IN_MODIFY = 0x00000002
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_Q_OVERFLOW = 0x00004000
IN_ISDIR = 0x40000000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
MASK = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
EVENT = struct.Struct("iIII")

_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
# closing an inotify fd waits for an RCU grace period (~10 ms); nobody needs to wait for it
_closer: ThreadPoolExecutor | None = None
_closer_lock = threading.Lock()


def _close_later(fd: int) -> None:
    global _closer
    with _closer_lock:
        if _closer is None:
            _closer = ThreadPoolExecutor(1, thread_name_prefix="researchos-inotify-close")
        _closer.submit(os.close, fd)


def _scan(root: Path) -> dict[str, int]:
    sizes = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            with contextlib.suppress(OSError):
                sizes[path] = os.lstat(path).st_size
    return sizes


class DiskWatch:
    """The total size of the files under ``root``, kept current from inotify events."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.fd = _libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        self.dirs: dict[int, str] = {}
        self.sizes: dict[str, int] = {}
        for dirpath, _dirs, files in os.walk(root):  # one walk: watches and sizes together
            if self.fd >= 0:
                self._watch(dirpath)
            for name in files:
                path = os.path.join(dirpath, name)
                with contextlib.suppress(OSError):
                    self.sizes[path] = os.lstat(path).st_size
        self.total = sum(self.sizes.values())

    @property
    def live(self) -> bool:
        return self.fd >= 0

    def _watch(self, path: str) -> None:
        wd = _libc.inotify_add_watch(self.fd, os.fsencode(path), MASK)
        if wd >= 0:
            self.dirs[wd] = path

    def _set(self, path: str) -> None:
        try:
            size = os.lstat(path).st_size
        except OSError:
            size = 0
        self.total += size - self.sizes.get(path, 0)
        self.sizes[path] = size

    def rescan(self) -> int:
        self.sizes = _scan(self.root)
        self.total = sum(self.sizes.values())
        return self.total

    def read(self) -> int:
        """Drain pending events; returns the new total."""
        touched: set[str] = set()
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, length = EVENT.unpack_from(data, offset)
                raw = data[offset + EVENT.size : offset + EVENT.size + length]
                offset += EVENT.size + length
                if mask & IN_Q_OVERFLOW:
                    return self.rescan()
                path = os.path.join(self.dirs.get(wd, ""), raw.rstrip(b"\0").decode())
                if mask & IN_ISDIR:
                    if mask & (IN_CREATE | IN_MOVED_TO):
                        self._watch(path)
                        touched.update(_scan(Path(path)))
                else:
                    touched.add(path)
        for path in touched:
            self._set(path)
        return self.total

    def close(self) -> None:
        if self.fd >= 0:
            _close_later(self.fd)
            self.fd = -1
