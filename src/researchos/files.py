"""Safe file primitives for artifact content: atomic writes, YAML with clear errors, paths.

Every write goes to a temporary file in the target directory and is renamed over the
destination, so a reader or a crash never sees half a file. Temporary files carry the
``TMP_SUFFIX`` so recovery can sweep them and git ignores them.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from researchos.errors import InputError, UnsafeInput

TMP_SUFFIX = ".researchos-tmp"

try:  # libyaml is several times faster; fall back to pure Python where it is missing
    _BaseLoader: type = yaml.CSafeLoader
    _Dumper: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper

_TAG = "tag:yaml.org,2002:"


class _Shared(Exception):
    """A node is reached twice (an alias): only the generic constructor shares it safely."""


class _Loader(_BaseLoader):
    """The safe loader with a lean constructor for plain maps, lists and scalars.

    PyYAML's generic constructor dominates parse time (Seal L1 reads 10,000 claim files).
    This one builds the same values for the common node types, directly, and hands anything
    else (timestamps, binary, merge keys, complex keys) to the generic constructor, so every
    document loads to what ``SafeLoader`` gives. A document with aliases is loaded by the
    generic constructor entirely: it shares aliased values instead of copying them, so an
    alias bomb cannot blow up memory.
    """

    def construct_document(self, node: yaml.Node) -> Any:
        try:
            return self._plain(node, set())
        except _Shared:
            return super().construct_document(node)

    def _plain(self, node: yaml.Node, seen: set[int]) -> Any:
        kind, tag = node.__class__, node.tag
        if kind is yaml.ScalarNode and tag == f"{_TAG}str":
            return node.value
        if id(node) in seen:
            raise _Shared
        seen.add(id(node))
        if kind is yaml.MappingNode and tag == f"{_TAG}map":
            if any(
                k.__class__ is not yaml.ScalarNode or k.tag == f"{_TAG}merge" for k, _ in node.value
            ):
                return self.construct_object(node, deep=True)
            return {self._plain(k, seen): self._plain(v, seen) for k, v in node.value}
        if kind is yaml.SequenceNode and tag == f"{_TAG}seq":
            return [self._plain(item, seen) for item in node.value]
        return self.construct_object(node, deep=True)


def write_atomic(
    path: Path, data: bytes | str, *, mode: int | None = None, fsync: bool = True
) -> None:
    """Write ``data`` to ``path`` via a temp file + rename; the old content stays on failure."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode if mode is not None else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def read_text(path: Path, *, display: str | None = None) -> str:
    """Read UTF-8 text; non-UTF-8 bytes become an InputError naming the file and offset."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file does not exist", file=name) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (invalid byte at offset {exc.start})",
            file=name,
            fix="save the file as UTF-8",
        ) from None


def load_yaml(path: Path, *, display: str | None = None) -> Any:
    """Parse one YAML document; syntax errors name the file, line and column."""
    return parse_yaml(read_text(path, display=display), display=display or str(path))


def parse_yaml(text: str, *, display: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise InputError(
            f"malformed YAML at {where}: {exc.problem}", file=display, fix="fix the YAML syntax"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {exc}", file=display) from None


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_relative(
    root: Path, relative: str, *, file: str | None = None, field: str = "path"
) -> Path:
    """Resolve ``relative`` under ``root``; refuse absolute paths, ``..`` and symlink escapes."""
    pure = PurePosixPath(relative.replace("\\", "/"))
    if not relative or pure.is_absolute() or ".." in pure.parts or relative.startswith("~"):
        raise UnsafeInput(
            f"path {relative!r} must be relative and stay inside {root.name}/",
            file=file,
            field=field,
            fix="use a path relative to the ARA directory",
        )
    candidate = root.joinpath(*pure.parts)
    resolved_root = root.resolve()
    resolved = candidate.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise UnsafeInput(
            f"path {relative!r} escapes {root.name}/ through a symlink",
            file=file,
            field=field,
            fix="copy the file into the ARA instead",
        )
    return candidate


def iter_files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root`` in sorted order, temp files excluded."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(TMP_SUFFIX):
                yield Path(dirpath) / name
