"""Opening a ZIP that may be hostile, without extracting anything.

Every check runs on the central directory before a single member is decompressed. A refusal
is an ``UnsafeInput`` that names the member: absolute names, ``..``, backslashes or control
characters, symlinks and device entries, duplicate names (also after case folding),
encrypted members, compression methods other than STORED/DEFLATED, declared sizes over the
limits and compression ratios only a zip bomb reaches. Reading a member later is bounded by
its declared size (zipfile stops there), so a lying header cannot inflate past the limits.
"""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from researchos.errors import InputError, UnsafeInput

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")
_ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what a package may declare; far above any real package, far below a bomb."""

    max_members: int = 200_000
    max_name_length: int = 1024
    max_total_bytes: int = 1 << 40
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 4 << 20
    total_ratio_floor_bytes: int = 64 << 20
    max_metadata_bytes: int = 64 << 20


def open_archive(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise InputError("does not exist or is not a file", file=str(path))
    try:
        return zipfile.ZipFile(path, "r")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise UnsafeInput(f"is not a readable ZIP archive ({exc})", file=str(path)) from None


def checked_members(
    archive: zipfile.ZipFile, *, display: str, size: int, limits: ArchiveLimits
) -> dict[str, zipfile.ZipInfo]:
    """Every member by name after all safety checks; raises on the first hostile one."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise UnsafeInput(
            f"holds {len(infos)} members, more than the limit of {limits.max_members}",
            file=display,
        )
    for info in infos:
        _check_name(info.filename, display, limits)
        _check_entry(info, display, limits)
    _check_duplicates(infos, display)
    _check_total(infos, display, size, limits)
    return {info.filename: info for info in infos}


def _refuse(display: str, member: str, problem: str, fix: str | None = None) -> UnsafeInput:
    return UnsafeInput(problem, file=display, field=f"member {member!r}", fix=fix)


def _check_name(name: str, display: str, limits: ArchiveLimits) -> None:
    parts = name.split("/")
    if not name or len(name) > limits.max_name_length:
        raise _refuse(display, name[:80], "has an empty or over-long name")
    if _CONTROL.search(name) or "\\" in name:
        raise _refuse(display, name, "has a control character or backslash in its name")
    if name.startswith("/") or _DRIVE.match(name):
        raise _refuse(display, name, "has an absolute path")
    if ".." in parts:
        raise _refuse(display, name, "has a '..' path component (path traversal)")
    if any(part in ("", ".") for part in parts[:-1]):
        raise _refuse(display, name, "has an empty or '.' path component")


def _check_entry(info: zipfile.ZipInfo, display: str, limits: ArchiveLimits) -> None:
    name = info.filename
    kind = stat.S_IFMT(info.external_attr >> 16)
    if info.create_system == 3 and kind == stat.S_IFLNK:
        raise _refuse(display, name, "is a symbolic link; packages hold regular files only")
    if info.create_system == 3 and kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise _refuse(display, name, f"is a special file (mode {kind:o}); refused")
    if info.flag_bits & 0x1:
        raise _refuse(display, name, "is encrypted; packages are never encrypted")
    if info.compress_type not in _ALLOWED_METHODS:
        raise _refuse(display, name, f"uses compression method {info.compress_type}; refused")
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise _refuse(display, name, "is stored but its two declared sizes differ")
    if info.file_size > limits.max_total_bytes:
        raise _refuse(display, name, f"declares {info.file_size} bytes, over the limit")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
        raise _refuse(
            display,
            name,
            f"declares a compression ratio of {ratio:.0f}:1 (a zip bomb); refused",
        )


def _check_duplicates(infos: list[zipfile.ZipInfo], display: str) -> None:
    folded = Counter(unicodedata.normalize("NFC", i.filename).casefold() for i in infos)
    for info in infos:
        if folded[unicodedata.normalize("NFC", info.filename).casefold()] > 1:
            raise _refuse(display, info.filename, "appears more than once (duplicate entries)")


def _check_total(
    infos: list[zipfile.ZipInfo], display: str, size: int, limits: ArchiveLimits
) -> None:
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        raise UnsafeInput(f"declares {total} bytes in all, over the limit", file=display)
    if total > limits.total_ratio_floor_bytes and total / max(size, 1) > limits.max_ratio:
        raise UnsafeInput(
            f"declares {total} bytes from a {size}-byte archive (overlapping or bomb entries)",
            file=display,
        )
