"""Pinned Python environments for experiments, built outside the sandbox and cached.

An experiment may declare ``requirements`` (``name==version`` pins). The environment is a venv
under ``var/envs/<key>/`` where the key hashes the sorted pins and the interpreter version;
building it (pip, the only step that may reach a package index) happens here, on the host,
never inside a run. Runs then mount it read-only with no network. By default the venv also
sees the packages ResearchOS itself runs on (through a ``.pth`` file placed after its own
site-packages), so a pin adds to or overrides the scientific stack instead of replacing it.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import shutil
import site
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from researchos.errors import InputError, SandboxError
from researchos.files import write_atomic
from researchos.history.locks import named_lock
from researchos.sandbox.runtime import PythonRuntime, host_runtime, minimal_mounts

PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!_-]+$")
MARKER = "researchos-env.json"
BUILD_TIMEOUT_S = 900
_LIST_PACKAGES = (
    "import importlib.metadata as m\n"
    "print('\\n'.join(sorted({f\"{(d.metadata['Name'] or '').lower()}=={d.version}\" "
    "for d in m.distributions()})))"
)


def normalise(requirements: Sequence[str]) -> list[str]:
    """Strip, drop blanks and comments, check every line is an exact pin, sort."""
    pins = []
    for index, raw in enumerate(requirements):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not PIN.match(line):
            raise InputError(
                f"{line!r} is not an exact pin",
                field=f"requirements[{index}]",
                fix="pin every requirement as name==version",
            )
        name, version = line.split("==", 1)
        pins.append(f"{name.lower().replace('_', '-')}=={version}")
    return sorted(set(pins))


def environment_key(pins: Sequence[str], *, inherit_base: bool = True) -> str:
    head = [f"python=={platform.python_version()}", platform.machine(), f"inherit={inherit_base}"]
    text = "\n".join([*head, *pins])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class EnvironmentCache:
    """Builds and reuses pinned venvs under ``root`` (``var/envs``)."""

    root: Path
    locks_dir: Path
    pip_args: tuple[str, ...] = field(default=())
    inherit_base: bool = True

    def path(self, requirements: Sequence[str]) -> Path:
        return self.root / environment_key(normalise(requirements), inherit_base=self.inherit_base)

    def ensure(self, requirements: Sequence[str]) -> PythonRuntime:
        """The runtime for these pins: the host's when there are none, else a cached venv."""
        pins = normalise(requirements)
        if not pins:
            return host_runtime()
        key = environment_key(pins, inherit_base=self.inherit_base)
        dest = self.root / key
        with named_lock(self.locks_dir, f"env-{key}"):
            if not (dest / MARKER).is_file():
                self._build(pins, dest)
        return self._runtime(dest, key)

    def is_cached(self, requirements: Sequence[str]) -> bool:
        return (self.path(requirements) / MARKER).is_file()

    def _build(self, pins: list[str], dest: Path) -> None:
        shutil.rmtree(dest, ignore_errors=True)  # a build that crashed half-way
        python = getattr(sys, "_base_executable", sys.executable)
        try:
            _run([python, "-m", "venv", "--without-pip", str(dest)], "create the venv")
            if self.inherit_base:
                _site_packages(dest).joinpath("_researchos_base.pth").write_text(
                    "".join(f"{p}\n" for p in site.getsitepackages())
                )
            pip = [sys.executable, "-m", "pip", "--python", str(dest / "bin" / "python")]
            pip += ["install", "--no-input", "--disable-pip-version-check", *self.pip_args]
            _run([*pip, *pins], "install the pinned requirements")
            packages = _run([str(dest / "bin" / "python"), "-c", _LIST_PACKAGES], "list packages")
        except BaseException:
            shutil.rmtree(dest, ignore_errors=True)
            raise
        meta = {
            "format_version": 1,
            "requirements": pins,
            "python_version": platform.python_version(),
            "packages": packages.split(),
            "inherit_base": self.inherit_base,
        }
        write_atomic(dest / MARKER, json.dumps(meta, indent=2))

    def _runtime(self, dest: Path, key: str) -> PythonRuntime:
        meta = json.loads((dest / MARKER).read_text())
        mounts = [dest, *host_runtime().mounts]
        return PythonRuntime(
            mounts=minimal_mounts(mounts),
            bin_dirs=(dest / "bin",),
            python_version=meta["python_version"],
            packages=tuple(meta["packages"]),
            label=f"env:{key}",
        )


def _site_packages(venv: Path) -> Path:
    major, minor = sys.version_info[:2]
    return venv / "lib" / f"python{major}.{minor}" / "site-packages"


def _run(argv: list[str], what: str) -> str:
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise SandboxError(f"could not {what}: timed out after {BUILD_TIMEOUT_S} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-3:]
        raise SandboxError(
            f"could not {what}: " + " | ".join(last),
            fix="check the pins and that the package index is reachable",
        )
    return done.stdout
