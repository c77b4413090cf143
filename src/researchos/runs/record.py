"""The measured parts of a run record: the code's hash, the outputs, the ids.

The code hash covers every file of the code tree (path, mode's exec bit, content sha256) in
sorted order, so two runs with the same hash ran the same code. Outputs are collected without
following symlinks: a link the run planted to a host file is recorded as a link, never read.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from researchos.errors import InputError, UnsafeInput
from researchos.files import safe_relative, sha256_bytes, sha256_file
from researchos.runs.models import OutputFile

SKIP_DIRS = frozenset({"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".venv"})
SKIP_SUFFIXES = (".pyc", ".pyo")


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"run-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _code_files(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if not name.endswith(SKIP_SUFFIXES):
                found.append(Path(dirpath) / name)
    return found


def copy_code(code_dir: Path | None, files: Mapping[str, str], dest: Path) -> dict[str, str]:
    """Copy the code tree and inline files into ``dest``; returns {relative path: sha256}."""
    manifest: dict[str, str] = {}
    if code_dir is not None:
        if not code_dir.is_dir():
            raise InputError("is not a directory", file=str(code_dir), field="code_dir")
        for path in _code_files(code_dir):
            if path.is_symlink():
                raise UnsafeInput(
                    "code trees may not contain symlinks",
                    file=str(path),
                    fix="replace the link with the file itself",
                )
            if not path.is_file():
                raise UnsafeInput("is not a regular file", file=str(path), fix="remove it")
            rel = path.relative_to(code_dir).as_posix()
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            manifest[rel] = _entry_hash(target)
    for rel, text in sorted(files.items()):
        target = safe_relative(dest, rel, field="files")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        manifest[rel] = _entry_hash(target)
    return manifest


def _entry_hash(path: Path) -> str:
    executable = "x" if path.stat().st_mode & stat.S_IXUSR else "-"
    return f"{executable}{sha256_file(path)}"


def code_hash(manifest: Mapping[str, str]) -> str:
    """sha256 over the sorted (path, exec bit, content hash) lines of the code tree."""
    lines = "".join(f"{path}\0{entry}\n" for path, entry in sorted(manifest.items()))
    return sha256_bytes(lines.encode())


def collect_outputs(workdir: Path, inputs: Mapping[str, str]) -> list[OutputFile]:
    """Every file the run created or changed under ``workdir``, with its sha256."""
    outputs: list[OutputFile] = []
    for dirpath, dirnames, filenames in os.walk(workdir):  # never follows symlinked dirs
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames) + sorted(d for d in dirnames if (base / d).is_symlink()):
            path = base / name
            rel = path.relative_to(workdir).as_posix()
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                outputs.append(OutputFile(path=rel, kind="symlink", target=os.readlink(path)))
            elif stat.S_ISREG(info.st_mode):
                entry = _entry_hash(path)
                if inputs.get(rel) != entry:
                    outputs.append(OutputFile(path=rel, size=info.st_size, sha256=entry[1:]))
    return outputs


def hash_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
