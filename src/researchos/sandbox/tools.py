"""The small system programs the runners exec, and how they are called.

``setpriv`` (util-linux) drops root to a sandbox uid; ``prlimit`` (util-linux) sets rlimits
where no bwrap handshake is available (the process runner). Paths are resolved once from the
system directories only, never from a PATH the user (or a venv) could shadow.
"""

from __future__ import annotations

import shutil
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


@lru_cache(maxsize=8)
def tool(name: str) -> str | None:
    found = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
    return str(Path(found).resolve()) if found else None
