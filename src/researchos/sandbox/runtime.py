"""The Python a sandboxed run sees: which host directories to mount and what they contain.

By default a run gets the interpreter and packages ResearchOS itself runs on (numpy, scipy,
scikit-learn, matplotlib are core dependencies), mounted read-only at their host paths so the
venv's absolute paths keep working. An experiment with pinned requirements gets its own
environment instead (``environments``), built outside the sandbox.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

SYSTEM_PREFIXES = (Path("/usr"), Path("/bin"), Path("/lib"), Path("/lib64"), Path("/etc"))


@dataclass(frozen=True)
class PythonRuntime:
    """A Python installation a run can use, described for mounting and for the run record."""

    mounts: tuple[Path, ...]
    bin_dirs: tuple[Path, ...]
    python_version: str
    packages: tuple[str, ...]
    label: str = "host"

    @property
    def packages_hash(self) -> str:
        return hashlib.sha256("\n".join(self.packages).encode()).hexdigest()

    def describe(self) -> dict[str, object]:
        return {
            "runtime": self.label,
            "python_version": self.python_version,
            "platform": platform.platform(),
            "machine": platform.machine(),
            "packages_hash": self.packages_hash,
            "package_count": len(self.packages),
        }


def _outside_system(path: Path) -> bool:
    return not any(path == p or p in path.parents for p in SYSTEM_PREFIXES)


def minimal_mounts(paths: list[Path]) -> tuple[Path, ...]:
    """Drop paths under /usr (already mounted) and paths nested in another one."""
    unique = sorted({p.resolve() for p in paths if _outside_system(p.resolve())})
    kept: list[Path] = []
    for path in unique:
        if not any(k == path or k in path.parents for k in kept):
            kept.append(path)
    return tuple(kept)


@lru_cache(maxsize=1)
def installed_packages() -> tuple[str, ...]:
    """``name==version`` of every distribution visible to this interpreter, sorted."""
    names = {
        f"{(dist.metadata['Name'] or '').lower()}=={dist.version}"
        for dist in metadata.distributions()
    }
    return tuple(sorted(names))


@lru_cache(maxsize=1)
def host_runtime() -> PythonRuntime:
    """The interpreter and venv ResearchOS runs on."""
    prefixes = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)]
    prefixes.append(Path(sys.base_exec_prefix))
    bin_dir = Path(sys.prefix) / "bin"
    return PythonRuntime(
        mounts=minimal_mounts(prefixes),
        bin_dirs=(bin_dir,),
        python_version=platform.python_version(),
        packages=installed_packages(),
    )
