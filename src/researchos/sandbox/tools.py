"""The small system programs the runners exec, and how they are called.

``setpriv`` (util-linux) drops root to a sandbox uid; ``prlimit`` (util-linux) sets rlimits
where no bwrap handshake is available (the process runner). Paths are resolved once from the
system directories only, never from a PATH the user (or a venv) could shadow.

Inside bwrap the uid switch is the one exec between bwrap and the command, so it runs on
every run: GNU ``chroot --userspec`` does it for about half of setpriv's cost (setpriv looks
the numeric uid up as a user name first, which loads the NSS modules). bwrap already set
no_new_privs and mounts everything nosuid, so ``chroot`` only has to change uid, gid and
groups; setpriv remains the fallback where coreutils is not GNU (busybox systems).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from researchos.sandbox.limits import Limits


def limit_argv(prlimit: str, limits: Limits) -> list[str]:
    """``prlimit`` options for one run (CPU gets a 1 s grace between SIGXCPU and SIGKILL)."""
    cpu = limits.effective_cpu_time
    return [
        prlimit,
        f"--as={limits.memory}",
        f"--cpu={cpu}:{cpu + 1}",
        f"--fsize={limits.file_size}",
        f"--nproc={limits.processes}",
        "--core=0",
        "--",
    ]


def drop_argv(setpriv: str, uid: int) -> list[str]:
    """``setpriv`` options that make root a capability-less, unprivileged ``uid``."""
    return [
        setpriv,
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]


def chroot_drop_argv(chroot: str, uid: int) -> list[str]:
    """GNU ``chroot`` as a uid switch: ``+N`` is numeric without a user lookup, ``/`` with
    ``--skip-chdir`` keeps root and working directory, ``--groups=`` clears the groups."""
    return [chroot, f"--userspec=+{uid}:+{uid}", "--groups=", "--skip-chdir", "/"]


@lru_cache(maxsize=1)
def gnu_chroot() -> str | None:
    """GNU coreutils ``chroot`` (which has ``--userspec`` and ``--skip-chdir``), if installed."""
    chroot = tool("chroot")
    if chroot is None:
        return None
    try:
        found = subprocess.run(
            [chroot, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return chroot if "GNU coreutils" in found.stdout else None


def sandbox_drop_argv(uid: int) -> list[str] | None:
    """The cheapest uid switch for a command inside bwrap (None: no tool for it here)."""
    chroot = gnu_chroot()
    if chroot is not None:
        return chroot_drop_argv(chroot, uid)
    setpriv = tool("setpriv")
    return drop_argv(setpriv, uid) if setpriv is not None else None


@lru_cache(maxsize=8)
def tool(name: str) -> str | None:
    found = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
    return str(Path(found).resolve()) if found else None
