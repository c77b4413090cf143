"""The packages a project uses, read from its manifests and lockfiles.

Python: pyproject.toml (PEP 621, Poetry, dependency groups), requirements*.txt, poetry.lock,
uv.lock. JavaScript: package.json, package-lock.json. A locked version wins over a declared
range; a ``==`` pin counts as locked. The files are untrusted input: each is size-capped and a
file that does not parse is reported, never fatal.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from researchos.errors import InputError
from researchos.knowledge.versions import Ecosystem, normalize_name

MAX_MANIFEST_BYTES = 5 * 1024 * 1024
_PIN = re.compile(r"^==\s*([0-9][0-9A-Za-z.+!-]*)$")


@dataclass(frozen=True)
class LocalPackage:
    name: str
    ecosystem: Ecosystem
    version: str | None = None
    declared: str | None = None
    file: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "ecosystem": self.ecosystem,
            "version": self.version,
            "declared": self.declared,
            "file": self.file,
        }


@dataclass(frozen=True)
class RepoPackages:
    packages: dict[tuple[str, str], LocalPackage] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _index: dict[str, list[LocalPackage]] = field(default_factory=dict, repr=False)

    def find(self, name: str, ecosystem: Ecosystem | None = None) -> list[LocalPackage]:
        """Packages called ``name``; without an ecosystem, names compare PEP 503-normalised."""
        if ecosystem is not None:
            key = (normalize_name(name, ecosystem), ecosystem)
            return [self.packages[key]] if key in self.packages else []
        return self._by_python_name().get(normalize_name(name, "python"), [])

    def _by_python_name(self) -> dict[str, list[LocalPackage]]:
        """Built on the first lookup (after the packages are collected) and kept."""
        if not self._index:
            for (found, _), package in self.packages.items():
                self._index.setdefault(normalize_name(found, "python"), []).append(package)
        return self._index


def _read(path: Path) -> str:
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise InputError(f"larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MiB", file=path.name)
    return path.read_text("utf-8", errors="replace")


def _requirement(text: str, file: str) -> LocalPackage | None:
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    spec = str(req.specifier)
    pin = _PIN.match(spec)
    return LocalPackage(
        normalize_name(req.name, "python"), "python", pin[1] if pin else None, spec or None, file
    )


def _pyproject(data: dict[str, Any], file: str) -> Iterator[LocalPackage]:
    project = data.get("project") or {}
    lines = list(project.get("dependencies") or [])
    for group in (project.get("optional-dependencies") or {}).values():
        lines += list(group or [])
    for group in (data.get("dependency-groups") or {}).values():
        lines += [item for item in group or [] if isinstance(item, str)]
    for line in lines:
        if isinstance(line, str) and (found := _requirement(line, file)):
            yield found
    poetry = (data.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dependencies") or {}]
    tables += [(g or {}).get("dependencies") or {} for g in (poetry.get("group") or {}).values()]
    for table in tables:
        for name, value in table.items():
            if name.lower() == "python":
                continue
            spec = value.get("version") if isinstance(value, dict) else value
            spec = spec if isinstance(spec, str) else None
            exact = spec if spec and re.fullmatch(r"\d[\w.+!-]*", spec) else None
            yield LocalPackage(normalize_name(name, "python"), "python", exact, spec, file)


def _requirements_txt(text: str, file: str) -> Iterator[LocalPackage]:
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].split("--hash", 1)[0].strip().rstrip("\\").strip()
        if line and not line.startswith(("#", "-")) and (found := _requirement(line, file)):
            yield found


def _toml_lock(data: dict[str, Any], file: str) -> Iterator[LocalPackage]:
    for item in data.get("package") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            version = item.get("version")
            if isinstance(version, str):
                yield LocalPackage(
                    normalize_name(item["name"], "python"), "python", version, None, file
                )


def _package_json(data: dict[str, Any], file: str) -> Iterator[LocalPackage]:
    for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        table = data.get(key) or {}
        for name, spec in table.items() if isinstance(table, dict) else ():
            if isinstance(name, str) and isinstance(spec, str):
                exact = spec if re.fullmatch(r"\d+\.\d+\.\d+[\w.+-]*", spec) else None
                yield LocalPackage(normalize_name(name, "npm"), "npm", exact, spec, file)


def _package_lock(data: dict[str, Any], file: str) -> Iterator[LocalPackage]:
    packages = data.get("packages")
    if isinstance(packages, dict):
        for key, info in packages.items():
            # only top-level installs: nested node_modules are transitive copies
            if key.startswith("node_modules/") and key.count("node_modules/") == 1:
                version = info.get("version") if isinstance(info, dict) else None
                if isinstance(version, str):
                    name = key[len("node_modules/") :]
                    yield LocalPackage(normalize_name(name, "npm"), "npm", version, None, file)
        return
    for name, info in (data.get("dependencies") or {}).items():
        version = info.get("version") if isinstance(info, dict) else None
        if isinstance(version, str):
            yield LocalPackage(normalize_name(name, "npm"), "npm", version, None, file)


_PARSERS: dict[str, tuple[str, Any]] = {
    "pyproject.toml": ("toml", _pyproject),
    "poetry.lock": ("toml", _toml_lock),
    "uv.lock": ("toml", _toml_lock),
    "package.json": ("json", _package_json),
    "package-lock.json": ("json", _package_lock),
}


def _parse(path: Path, rel: str) -> Iterator[LocalPackage]:
    text = _read(path)
    if path.name.endswith(".txt"):
        yield from _requirements_txt(text, rel)
        return
    syntax, parser = _PARSERS[path.name]
    data = tomllib.loads(text) if syntax == "toml" else json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("the top level is not a table/object")
    yield from parser(data, rel)


def _manifest_files(repo: Path) -> list[Path]:
    found = [repo / name for name in _PARSERS if (repo / name).is_file()]
    found += sorted(p for p in repo.glob("requirements*.txt") if p.is_file())
    return found


def _merge(current: LocalPackage | None, new: LocalPackage) -> LocalPackage:
    if current is None:
        return new
    if new.version and (current.version is None or "lock" in new.file):
        return replace(current, version=new.version, file=new.file)
    if new.declared and not current.declared:
        return replace(current, declared=new.declared)
    return current


def read_repo(repo: Path) -> RepoPackages:
    """Every package the project at ``repo`` declares or locks (cached until a file changes)."""
    if not repo.is_dir():
        raise InputError("is not a directory", file=str(repo), fix="pass --repo PATH of a project")
    files = _manifest_files(repo)
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    cached = _parse_repo(stamp)
    # a fresh copy: callers add the libraries an agent names to it
    return RepoPackages(dict(cached.packages), list(cached.files), list(cached.problems))


@lru_cache(maxsize=64)
def _parse_repo(stamp: tuple[tuple[str, int, int], ...]) -> RepoPackages:
    result = RepoPackages()
    for path in (Path(entry[0]) for entry in stamp):
        rel = path.name
        result.files.append(rel)
        try:
            for package in _parse(path, rel):
                key = (package.name, package.ecosystem)
                result.packages[key] = _merge(result.packages.get(key), package)
        except (ValueError, InputError, tomllib.TOMLDecodeError, UnicodeError) as exc:
            result.problems.append(f"{rel}: {exc}")
    return result
