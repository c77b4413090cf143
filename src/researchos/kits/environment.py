"""``code/environment.lock``: the exact interpreter and packages an experiment ran with.

The packages are the ones the experiment's Python files import (found by parsing them, so it
works for generated code too), mapped to their distributions, plus those distributions'
runtime dependencies. Each line is a pip requirement pinned to the installed version, followed
by a comment with the sha256 of the distribution's installed RECORD file: a fingerprint of the
exact files on disk. (pip's ``--hash`` needs the hash of the wheel archive, which an installed
environment does not keep; the RECORD hash is the closest thing that can be read back.)
``pip install -r environment.lock`` reads the file as it is.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata as metadata
import platform
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

HEADER = "# ResearchOS environment.lock v1"
_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?:\s+#\s*record-sha256:(?P<record>[0-9a-f]{64}))?"
)


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    record_sha256: str | None = None


@dataclass(frozen=True)
class EnvironmentLock:
    python: str
    implementation: str
    platform: str
    pins: tuple[Pin, ...]


def imported_modules(files: Mapping[str, str]) -> set[str]:
    """Top-level modules the Python files import, minus the stdlib and the files themselves."""
    return {name for name in top_level_imports(files) if name not in sys.stdlib_module_names}


def top_level_imports(files: Mapping[str, str]) -> set[str]:
    """Top-level modules the Python files import (stdlib included), minus the files themselves."""
    local = {path.rsplit("/", 1)[-1].removesuffix(".py") for path in files if path.endswith(".py")}
    found: set[str] = set()
    for path, text in files.items():
        if not path.endswith(".py"):
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue  # the reviewer reports it; the lock just cannot see its imports
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - local


def distributions_for(modules: Iterable[str]) -> set[str]:
    """Distribution names that provide ``modules`` in this interpreter (unknown ones skipped)."""
    providers = metadata.packages_distributions()
    return {canonicalize_name(dist) for module in modules for dist in providers.get(module, [])}


def _runtime_requirements(name: str) -> list[str]:
    names: list[str] = []
    for text in metadata.requires(name) or []:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(canonicalize_name(requirement.name))
    return names


def dependency_closure(names: Iterable[str]) -> list[str]:
    """``names`` plus every installed runtime dependency, transitively, sorted."""
    seen: set[str] = set()
    todo: list[str] = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        todo.extend(_runtime_requirements(name))
    return sorted(seen)


def pin(name: str) -> Pin:
    dist = metadata.distribution(name)
    record = dist.read_text("RECORD")
    digest = hashlib.sha256(record.encode("utf-8")).hexdigest() if record else None
    return Pin(canonicalize_name(dist.metadata["Name"]), dist.version, digest)


def current_lock(files: Mapping[str, str]) -> EnvironmentLock:
    names = dependency_closure(distributions_for(imported_modules(files)))
    return EnvironmentLock(
        python=platform.python_version(),
        implementation=platform.python_implementation(),
        platform=f"{sys.platform}-{platform.machine()}",
        pins=tuple(pin(name) for name in names),
    )


def environment_lock(files: Mapping[str, str]) -> str:
    """The text of ``code/environment.lock`` for the experiment made of ``files``."""
    lock = current_lock(files)
    lines = [
        HEADER,
        f"# python: {lock.python}",
        f"# implementation: {lock.implementation}",
        f"# platform: {lock.platform}",
    ]
    for item in lock.pins:
        suffix = f"  # record-sha256:{item.record_sha256}" if item.record_sha256 else ""
        lines.append(f"{item.name}=={item.version}{suffix}")
    return "\n".join(lines) + "\n"


def read_environment_lock(text: str) -> EnvironmentLock:
    fields: dict[str, str] = {}
    pins = []
    for line in text.splitlines():
        if match := re.match(r"^# (python|implementation|platform): (.+)$", line):
            fields[match.group(1)] = match.group(2).strip()
        elif match := _PIN.match(line):
            pins.append(Pin(match["name"], match["version"], match["record"]))
    return EnvironmentLock(
        python=fields.get("python", ""),
        implementation=fields.get("implementation", ""),
        platform=fields.get("platform", ""),
        pins=tuple(pins),
    )


def environment_drift(text: str) -> list[str]:
    """How this interpreter differs from a lock: one line per difference, empty when equal."""
    lock = read_environment_lock(text)
    drift = []
    if lock.python != platform.python_version():
        drift.append(f"python {platform.python_version()} here, {lock.python} in the lock")
    for item in lock.pins:
        try:
            here = pin(item.name)
        except metadata.PackageNotFoundError:
            drift.append(f"{item.name} is not installed (lock: {item.version})")
            continue
        if here.version != item.version:
            drift.append(f"{item.name} {here.version} here, {item.version} in the lock")
        elif item.record_sha256 and here.record_sha256 != item.record_sha256:
            drift.append(f"{item.name} {item.version}: installed files differ (RECORD hash)")
    return drift
