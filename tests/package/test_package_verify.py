"""Verifying packages offline: intact ones pass; any tampering fails, naming what changed."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from researchos.app import App, build_app
from researchos.errors import InputError
from researchos.package import verify
from researchos.settings import load_settings


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _only_problem(report, *fragments: str) -> str:
    assert not report.ok
    joined = "\n".join(report.problems)
    for fragment in fragments:
        assert fragment in joined, joined
    return joined


def test_an_intact_package_verifies(app: App, frozen) -> None:
    report = app.packages.verify(frozen.zip_path)
    assert report.ok, report.problems
    assert report.signature_valid and report.signer == frozen.fingerprint
    assert report.workspace_key_match is True
    assert report.sidecar_signature is True
    assert report.mock is True and report.version == 1
    assert report.files_checked == len(json.loads(frozen.manifest_path.read_text())["files"])


def test_verification_needs_no_workspace(frozen, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / frozen.zip_path.name
    copy.parent.mkdir()
    shutil.copy(frozen.zip_path, copy)
    report = verify(copy)
    assert report.ok and report.workspace_key_match is None
    assert report.sidecar_signature is None
    assert any("trusted key" in note for note in report.notes)


def test_a_changed_member_fails_naming_it(frozen, rezip, tmp_path: Path) -> None:
    bad = rezip(
        frozen.zip_path,
        tmp_path / "bad.zip",
        replace={"evidence/raw/results.csv": b"condition,ms\ntimsort,0.01\n"},
    )
    _only_problem(verify(bad), "evidence/raw/results.csv: sha256")


def test_bytes_flipped_in_place_fail_naming_the_member(frozen, tmp_path: Path) -> None:
    bad = tmp_path / "flipped.zip"
    shutil.copy(frozen.zip_path, bad)
    with zipfile.ZipFile(bad) as archive:
        info = archive.getinfo("evidence/figures/speed.png")  # stored: its bytes are raw
        offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 100
    data = bytearray(bad.read_bytes())
    data[offset] ^= 0xFF
    bad.write_bytes(bytes(data))
    _only_problem(verify(bad), "evidence/figures/speed.png")


def test_a_signature_corrupted_in_place_is_reported(frozen, tmp_path: Path) -> None:
    bad = tmp_path / "flipped-sig.zip"
    shutil.copy(frozen.zip_path, bad)
    with zipfile.ZipFile(bad) as archive:
        info = archive.getinfo("manifest.json.sig")
        assert info.compress_type == zipfile.ZIP_STORED
        offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(bad.read_bytes())
    data[offset + 5] ^= 0xFF
    bad.write_bytes(bytes(data))
    report = verify(bad)
    assert not report.signature_valid
    _only_problem(report, "manifest.json.sig")


def test_a_changed_manifest_breaks_the_signature(frozen, rezip, tmp_path: Path) -> None:
    with zipfile.ZipFile(frozen.zip_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["mock"] = False  # hide that the results came from the mock provider
    raw = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    bad = rezip(frozen.zip_path, tmp_path / "bad.zip", replace={"manifest.json": raw})
    report = verify(bad)
    assert not report.signature_valid
    _only_problem(report, "manifest.json.sig: the signature does not verify over manifest.json")


def test_a_manifest_hash_changed_to_match_a_changed_member_still_fails(
    frozen, rezip, tmp_path: Path
) -> None:
    forged_csv = b"condition,ms\ntimsort,0.01\n"
    with zipfile.ZipFile(frozen.zip_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        if entry["path"] == "evidence/raw/results.csv":
            entry["sha256"] = _sha(forged_csv)
            entry["size"] = len(forged_csv)
    raw = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    bad = rezip(
        frozen.zip_path,
        tmp_path / "bad.zip",
        replace={"manifest.json": raw, "evidence/raw/results.csv": forged_csv},
    )
    _only_problem(verify(bad), "manifest.json.sig")


def test_a_changed_signature_fails(frozen, rezip, tmp_path: Path) -> None:
    with zipfile.ZipFile(frozen.zip_path) as archive:
        signature = bytearray(archive.read("manifest.json.sig"))
    signature[0] ^= 0x01
    bad = rezip(frozen.zip_path, tmp_path / "bad.zip", replace={"manifest.json.sig": signature})
    _only_problem(verify(bad), "manifest.json.sig")
    unsigned = rezip(frozen.zip_path, tmp_path / "unsigned.zip", drop=("manifest.json.sig",))
    _only_problem(verify(unsigned), "manifest.json.sig: missing")


def test_missing_and_extra_members_are_named(frozen, rezip, tmp_path: Path) -> None:
    missing = rezip(frozen.zip_path, tmp_path / "missing.zip", drop=("views/paper.md",))
    _only_problem(verify(missing), "views/paper.md: listed in the manifest but missing")
    extra = rezip(frozen.zip_path, tmp_path / "extra.zip", add={"evidence/raw/planted.csv": b"1"})
    _only_problem(verify(extra), "evidence/raw/planted.csv: in the ZIP but not in the manifest")


def test_a_tampered_signature_beside_the_zip_is_reported(frozen) -> None:
    frozen.signature_path.write_bytes(b"\x00" * 64)
    report = verify(frozen.zip_path)
    assert report.sidecar_signature is False
    _only_problem(report, "sorting-study-v1.manifest.json.sig")


@pytest.fixture
def foreign_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ara_builder):
    """A package of the same ARA, frozen in another workspace with its own key."""
    monkeypatch.setenv("RESEARCHOS_HOME", str(tmp_path / "other-ws"))
    other = build_app(load_settings(), create=True)
    try:
        slug = ara_builder(other, tmp_path / "other-inputs")
        yield other.packages.freeze(slug)
    finally:
        other.close()


def test_a_package_signed_by_another_key_fails_against_the_trusted_key(
    app: App, frozen, foreign_package
) -> None:
    ours = app.packages.public_key()
    assert ours is not None
    report = app.packages.verify(foreign_package.zip_path, trusted_key=ours.hex)
    assert report.signature_valid  # intact and self-consistent...
    assert report.trusted_key_match is False and report.workspace_key_match is False
    _only_problem(report, foreign_package.fingerprint, ours.hex)  # ...but not signed by us
    assert app.packages.verify(frozen.zip_path, trusted_key=ours.hex).ok
    by_fingerprint = verify(foreign_package.zip_path, trusted_key=foreign_package.fingerprint)
    assert by_fingerprint.ok and by_fingerprint.trusted_key_match is True


def test_a_malformed_trusted_key_is_an_input_error(frozen) -> None:
    with pytest.raises(InputError, match="--trusted-key"):
        verify(frozen.zip_path, trusted_key="not-hex")


def test_a_swapped_key_and_signature_fail_only_against_the_trusted_key(
    app: App, frozen, foreign_package, rezip, tmp_path: Path
) -> None:
    """An attacker who re-signs with their own key gets past self-consistency, not trust."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from researchos.package.signing import PublicKey

    attacker = Ed25519PrivateKey.generate()
    public = PublicKey(
        attacker.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    )
    with zipfile.ZipFile(frozen.zip_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["signer"] = {
        "algorithm": "ed25519",
        "public_key": public.hex,
        "fingerprint": public.fingerprint,
    }
    pem = public.pem()
    with zipfile.ZipFile(frozen.zip_path) as archive:
        crate = json.loads(archive.read("ro-crate-metadata.json"))
    for entity in crate["@graph"]:
        if entity["@id"] == "signing-key.pub":
            entity["sha256"], entity["contentSize"] = _sha(pem), str(len(pem))
    crate_raw = json.dumps(crate).encode()
    for entry in manifest["files"]:
        if entry["path"] == "signing-key.pub":
            entry["sha256"], entry["size"] = _sha(pem), len(pem)
        if entry["path"] == "ro-crate-metadata.json":
            entry["sha256"], entry["size"] = _sha(crate_raw), len(crate_raw)
    raw = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    forged = rezip(
        frozen.zip_path,
        tmp_path / "forged.zip",
        replace={
            "manifest.json": raw,
            "manifest.json.sig": attacker.sign(raw),
            "signing-key.pub": pem,
            "ro-crate-metadata.json": crate_raw,
        },
    )
    assert verify(forged).problems == []
    assert verify(forged).ok  # self-consistent: that alone proves nothing about the author
    ours = app.packages.public_key()
    assert ours is not None
    _only_problem(verify(forged, trusted_key=ours.fingerprint), public.fingerprint)
