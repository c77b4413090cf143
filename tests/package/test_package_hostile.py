"""Hostile ZIPs are refused by name before anything is decompressed, and nothing is written."""

from __future__ import annotations

import stat
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from researchos.errors import InputError, UnsafeInput
from researchos.package import verify
from researchos.package.safety import ArchiveLimits


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "hostile"
    directory.mkdir()
    return directory


def _zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates we plant
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", b"{}")
            for info, data in members:
                archive.writestr(info, data)
    return path


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


CASES: dict[str, tuple[list[tuple[zipfile.ZipInfo | str, bytes]], str]] = {
    "path traversal": ([("evidence/../../etc/cron.d/evil", b"x")], "path traversal"),
    "absolute path": ([("/etc/passwd", b"root")], "absolute path"),
    "windows drive": ([("C:/Windows/evil.dll", b"x")], "absolute path"),
    "backslash": ([("evidence\\..\\evil", b"x")], "backslash"),
    "symlink member": ([(_symlink("evidence/raw/link"), b"/etc/shadow")], "symbolic link"),
    "duplicate entries": ([("views/paper.md", b"a"), ("views/paper.md", b"b")], "more than once"),
    "case duplicates": ([("views/Paper.md", b"a"), ("views/paper.md", b"b")], "more than once"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_members_are_refused_by_name(
    case: str, hostile_dir: Path, tree_snapshot: Callable[[Path], dict[str, int]]
) -> None:
    members, message = CASES[case]
    path = _zip(hostile_dir / "bad.zip", members)
    before = tree_snapshot(hostile_dir.parent)
    with pytest.raises(UnsafeInput) as caught:
        verify(path)
    assert message in str(caught.value)
    assert "member " in str(caught.value) and "bad.zip" in str(caught.value)
    assert tree_snapshot(hostile_dir.parent) == before  # nothing extracted, nothing written


def test_a_zip_bomb_is_refused_before_inflating(hostile_dir: Path) -> None:
    path = hostile_dir / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("manifest.json", b"{}")
        with archive.open("evidence/raw/zeros.bin", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(64):  # 64 MiB of zeros -> ~64 KiB compressed
                member.write(block)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(UnsafeInput, match=r"evidence/raw/zeros\.bin.*zip bomb"):
        verify(path)


def test_many_bomb_members_are_refused_by_the_total_ratio(hostile_dir: Path) -> None:
    path = hostile_dir / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{}")
        for index in range(40):  # each member alone is under the per-member floor
            archive.writestr(f"evidence/part{index}.bin", bytes(3 << 20))
    with pytest.raises(UnsafeInput, match=r"declares .* bytes from a"):
        verify(path)


def test_declared_sizes_over_the_limit_are_refused(hostile_dir: Path) -> None:
    path = _zip(hostile_dir / "big.zip", [("evidence/raw/a.bin", b"x" * 4096)])
    limits = ArchiveLimits(max_total_bytes=1024)
    with pytest.raises(UnsafeInput, match=r"a\.bin"):
        verify(path, limits=limits)
    too_many = ArchiveLimits(max_members=1)
    with pytest.raises(UnsafeInput, match="more than the limit"):
        verify(path, limits=too_many)


def test_a_zip_without_a_manifest_is_refused(hostile_dir: Path) -> None:
    path = hostile_dir / "plain.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", b"hello")
    with pytest.raises(InputError, match=r"plain\.zip: has no manifest\.json"):
        verify(path)


def test_a_garbage_manifest_and_a_non_zip_are_input_errors(hostile_dir: Path) -> None:
    path = _zip(hostile_dir / "odd.zip", [])
    with pytest.raises(InputError, match=r"manifest\.json"):
        verify(path)
    not_zip = hostile_dir / "not.zip"
    not_zip.write_bytes(b"PK\x03\x04 but not really a zip")
    with pytest.raises(UnsafeInput, match="not a readable ZIP"):
        verify(not_zip)
    with pytest.raises(InputError, match="does not exist"):
        verify(hostile_dir / "missing.zip")


def test_an_oversized_manifest_is_refused_unread(hostile_dir: Path) -> None:
    path = _zip(hostile_dir / "fat.zip", [])
    with pytest.raises(UnsafeInput, match=r"manifest\.json"):
        verify(path, limits=ArchiveLimits(max_metadata_bytes=1))
