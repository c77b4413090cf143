"""sha256 of a byte stream, computed on a second thread while the caller moves the bytes.

hashlib releases the GIL for large buffers, and so do zlib's CRC-32 and file writes, so on
two cores hashing chunk *k* overlaps reading, CRC-ing and writing chunk *k+1*. Depth one is
enough: the producer never runs more than one chunk ahead, which bounds memory to two chunks.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

CHUNK = 4 << 20


class ProgressSink(Protocol):
    """Where long work reports bytes done; the CLI draws a progress bar from it."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, amount: int) -> None: ...


class NoProgress:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


class StreamDigest:
    """Feed chunks in order with ``update``; ``hexdigest`` waits for the last one."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._hash = hashlib.sha256()
        self._pending: Future[None] | None = None
        self.size = 0

    def update(self, chunk: bytes) -> None:
        if self._pending is not None:
            self._pending.result()
        self._pending = self._pool.submit(self._hash.update, chunk)
        self.size += len(chunk)

    def hexdigest(self) -> str:
        if self._pending is not None:
            self._pending.result()
            self._pending = None
        return self._hash.hexdigest()


def hashing_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="researchos-sha256")
