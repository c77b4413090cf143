"""Resource limits for a bwrap sandbox, set from outside before its command starts.

bwrap reports the host pid of the sandbox's first process on ``--info-fd`` and waits on
``--block-fd`` before going on. In that pause we apply the rlimits to that process with
prlimit(2); the command inherits them. This saves an exec of a ``prlimit`` binary on every
run (about a millisecond, a tenth of a Python start-up) and works the same for root and
non-root: the limits are set after bwrap created its namespaces, so RLIMIT_NPROC counts the
tasks inside the sandbox's user namespace, not every process of the caller.

The same pause gives us a pidfd on that first process, the init of the sandbox's PID
namespace. The kernel kills and reaps every member of a PID namespace before its init counts
as exited, so once that pidfd turns readable nothing of the run is left: a wait on one
descriptor instead of a scan of /proc after every run.
"""

from __future__ import annotations

import os
import re
import resource
import select
from dataclasses import dataclass, field

from researchos.errors import SandboxError
from researchos.sandbox.limits import Limits

INFO_TIMEOUT_S = 30.0
# bwrap writes `{"child-pid": N` first, then `,` and the namespace ids or `}`
_CHILD_PID = re.compile(rb'"child-pid":\s*(\d+)\s*[,}]')


def rlimits(limits: Limits) -> list[tuple[int, tuple[int, int]]]:
    """(resource, (soft, hard)) pairs; CPU gets 1 s between SIGXCPU and SIGKILL."""
    cpu = limits.effective_cpu_time
    return [
        (resource.RLIMIT_AS, (limits.memory, limits.memory)),
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_FSIZE, (limits.file_size, limits.file_size)),
        (resource.RLIMIT_NPROC, (limits.processes, limits.processes)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]


@dataclass
class Handshake:
    """The two pipes between us and one bwrap process."""

    limits: Limits
    info_read: int = field(init=False)
    info_write: int = field(init=False)
    block_read: int = field(init=False)
    block_write: int = field(init=False)
    init_pidfd: int = field(init=False, default=-1)

    def __post_init__(self) -> None:
        self.info_read, self.info_write = os.pipe()
        self.block_read, self.block_write = os.pipe()

    @property
    def child_fds(self) -> tuple[int, int]:
        return (self.info_write, self.block_read)

    def argv(self, numbers: list[int]) -> list[str]:
        """bwrap's options, given the numbers the child sees for ``child_fds``."""
        info, block = numbers
        return ["--info-fd", str(info), "--block-fd", str(block)]

    def complete(self, _pid: int) -> None:
        """After spawning bwrap: limit its sandbox process, then let it run the command."""
        self._close("info_write", "block_read")  # bwrap holds its own copies
        try:
            child = self._child_pid()
            if child is not None:
                # bwrap's init is blocked on us right now: the pid cannot have been reused
                self.init_pidfd = _pidfd(child)
                for which, values in rlimits(self.limits):
                    resource.prlimit(child, which, values)
            os.write(self.block_write, b"go")
        except (ProcessLookupError, BrokenPipeError):
            pass  # bwrap failed during set-up; its exit status and stderr say why
        finally:
            # info_read stays open until the run ends: bwrap may still be writing the rest of
            # its report, and a closed pipe would make that write fail and bwrap die
            self._close("block_write")

    def _close(self, *names: str) -> None:
        # each end is closed exactly once: a second close could hit a descriptor another
        # thread has opened under the same number since
        for name in names:
            fd = getattr(self, name)
            if fd >= 0:
                setattr(self, name, -1)
                os.close(fd)

    def _child_pid(self) -> int | None:
        """The pid from bwrap's report, as soon as its first line is complete (the namespace
        ids that follow cost bwrap a few more system calls, and us another wake-up)."""
        data = b""
        while (found := _CHILD_PID.search(data)) is None:
            ready, _, _ = select.select([self.info_read], [], [], INFO_TIMEOUT_S)
            if not ready:
                raise SandboxError(
                    f"bwrap did not report its sandbox within {INFO_TIMEOUT_S:.0f} s",
                    fix="run `researchos sandbox check`",
                )
            chunk = os.read(self.info_read, 4096)
            if not chunk:
                return None  # bwrap exited before it got that far
            data += chunk
        return int(found.group(1))

    def sandbox_gone(self, timeout: float) -> bool:
        """Wait until the sandbox's PID namespace is empty; False when we cannot tell."""
        if self.init_pidfd < 0:
            return False
        ready, _, _ = select.select([self.init_pidfd], [], [], timeout)
        return bool(ready)

    def abandon(self) -> None:
        """Close whatever descriptors are still open (after the run, or when it failed)."""
        self._close("info_read", "info_write", "block_read", "block_write", "init_pidfd")


def _pidfd(pid: int) -> int:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # old kernel, or bwrap already gone: scan /proc instead
        return -1
