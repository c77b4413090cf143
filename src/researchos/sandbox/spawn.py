"""Start a run's first process without stopping the rest of ResearchOS meanwhile.

``subprocess.Popen`` forks with vfork() and, up to Python 3.12, keeps the GIL until the child
has exec'd (python/cpython#104372). That is a fraction of a millisecond on an idle machine,
but when the CPUs are busy the new child waits for one, up to tens of milliseconds, and every
other thread waits with it: with two runs in flight the other run's watcher cannot answer its
sandbox (which blocks on our handshake) or read its output. glibc's ``posix_spawn`` does the
same vfork and exec; called through ctypes, the GIL is released for the call.

The child gets exactly what Popen gave it: stdin, stdout and stderr on 0-2, the descriptors to
pass on 3, 4, ... (in order), every other descriptor closed, its own session, the working
directory, the environment, an empty signal mask and default signal dispositions (Python
ignores SIGPIPE and SIGXFSZ; a child must not inherit that). It needs glibc 2.34 or newer
(``addclosefrom_np``); elsewhere ``Popen`` does the job, with the descriptors at their own
numbers (``child_fds`` says which numbers the child will see).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

POSIX_SPAWN_SETSIGDEF = 0x04
POSIX_SPAWN_SETSIGMASK = 0x08
POSIX_SPAWN_SETSID = 0x80
OPAQUE_BYTES = 1024  # posix_spawnattr_t is 336 bytes, file actions 80, sigset_t 128 (glibc)
FIRST_PASSED = 3
_NEEDED = (
    "posix_spawn",
    "posix_spawn_file_actions_addclosefrom_np",
    "posix_spawn_file_actions_addchdir_np",
    "posix_spawnattr_setsigdefault",
)


@dataclass
class Child:
    """A started process: its pid and our ends of its stdout and stderr pipes."""

    pid: int
    stdout: int
    stderr: int
    returncode: int | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def exited(self, code: int) -> None:
        self.returncode = code
        if self.popen is not None:  # so Popen never reaps the pid behind our back
            self.popen.returncode = code


@lru_cache(maxsize=1)
def _libc() -> Any | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:
        return None
    return libc if all(hasattr(libc, name) for name in _NEEDED) else None


def child_fds(passed: Sequence[int]) -> list[int]:
    """The numbers the child will see for ``passed`` (the same ones under Popen)."""
    if _libc() is None:
        return list(passed)
    return [FIRST_PASSED + i for i in range(len(passed))]


def start(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    stdin: Path | None,
    passed: Sequence[int] = (),
) -> Child:
    """Start ``argv``; raises OSError like Popen when it cannot be executed."""
    if _libc() is None:
        return _popen(argv, env=env, cwd=cwd, stdin=stdin, passed=passed)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        pid = _spawn(argv, env, cwd, stdin or Path(os.devnull), [out_w, err_w, *passed])
    except BaseException:
        os.close(out_r)
        os.close(err_r)
        raise
    finally:
        os.close(out_w)
        os.close(err_w)
    return Child(pid, out_r, err_r)


def _spawn(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path, stdin: Path, sources: list[int]
) -> int:
    libc = _libc()
    assert libc is not None
    # above every target number, so no dup2 below overwrites a source still to be copied
    first_free = len(sources) + 1
    lifted = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, first_free) for fd in sources]
    actions = ctypes.create_string_buffer(OPAQUE_BYTES)
    attr = ctypes.create_string_buffer(OPAQUE_BYTES)
    _check(libc.posix_spawn_file_actions_init(actions))
    _check(libc.posix_spawnattr_init(attr))
    try:
        # the child opens its stdin itself: nothing to open (or block on) in this process
        path = os.fsencode(stdin)
        _check(libc.posix_spawn_file_actions_addopen(actions, 0, path, os.O_RDONLY, 0))
        for target, fd in enumerate(lifted, start=1):
            _check(libc.posix_spawn_file_actions_adddup2(actions, fd, target))
        _check(libc.posix_spawn_file_actions_addclosefrom_np(actions, first_free))
        _check(libc.posix_spawn_file_actions_addchdir_np(actions, os.fsencode(cwd)))
        _signals(libc, attr)
        return _call(libc, argv, env, actions, attr)
    finally:
        libc.posix_spawn_file_actions_destroy(actions)
        libc.posix_spawnattr_destroy(attr)
        for fd in lifted:
            os.close(fd)


def _signals(libc: Any, attr: ctypes.Array[ctypes.c_char]) -> None:
    # all 64 signals by hand: sigfillset() leaves out glibc's two internal ones, which the
    # spawned child would then inherit as ignored (Popen's child has none ignored)
    everything = ctypes.create_string_buffer(b"\xff" * 8, OPAQUE_BYTES)
    nothing = ctypes.create_string_buffer(OPAQUE_BYTES)
    _check(libc.sigemptyset(nothing))
    _check(libc.posix_spawnattr_setsigdefault(attr, everything))
    _check(libc.posix_spawnattr_setsigmask(attr, nothing))
    flags = POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
    _check(libc.posix_spawnattr_setflags(attr, ctypes.c_short(flags)))


def _call(
    libc: Any,
    argv: Sequence[str],
    env: Mapping[str, str],
    actions: ctypes.Array[ctypes.c_char],
    attr: ctypes.Array[ctypes.c_char],
) -> int:
    program = _resolve(argv[0], env)
    args = (ctypes.c_char_p * (len(argv) + 1))(*[_encode(a) for a in argv], None)
    pairs = [_encode(f"{k}={v}") for k, v in env.items()]
    environ = (ctypes.c_char_p * (len(pairs) + 1))(*pairs, None)
    pid = ctypes.c_int(0)
    # ctypes releases the GIL for the call: other threads run while the child starts
    error = libc.posix_spawn(ctypes.byref(pid), os.fsencode(program), actions, attr, args, environ)
    if error:
        raise OSError(error, os.strerror(error), argv[0])
    return pid.value


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")  # os.fsencode's result, without its checks


def _resolve(program: str, env: Mapping[str, str]) -> str:
    if "/" in program:
        return program
    found = shutil.which(program, path=env.get("PATH", os.defpath))
    if found is None:
        raise FileNotFoundError(2, os.strerror(2), program)
    return found


def _check(result: int) -> None:
    if result != 0:
        raise OSError(result, os.strerror(result))


def _popen(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    stdin: Path | None,
    passed: Sequence[int],
) -> Child:
    handle = stdin.open("rb") if stdin else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=handle,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
            close_fds=True,
            pass_fds=tuple(passed),
        )
    finally:
        if not isinstance(handle, int):
            handle.close()
    assert proc.stdout is not None and proc.stderr is not None
    # the watcher owns the pipes from here on
    out, err = os.dup(proc.stdout.fileno()), os.dup(proc.stderr.fileno())
    proc.stdout.close()
    proc.stderr.close()
    return Child(proc.pid, out, err, popen=proc)
