"""``verify``: check a package offline — every member's sha256 and size, nothing missing or
extra, the Ed25519 signature over the exact manifest bytes, the RO-Crate, and the signer.

The ZIP is treated as hostile (safety.py): nothing is extracted, members are hashed as
streams, and the metadata read into memory is bounded. Integrity failures are collected in
the report (each naming its member); a ZIP that is unsafe to read at all is refused with
``UnsafeInput``. A valid signature proves the manifest was signed by the key inside the
package; only ``trusted_key`` (the signer's published key) proves *who* signed it.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote

from researchos.errors import InputError, UnsafeInput
from researchos.package.digest import CHUNK, NoProgress, ProgressSink, StreamDigest, hashing_pool
from researchos.package.manifest import (
    CRATE_NAME,
    MANIFEST_NAME,
    PUBLIC_KEY_NAME,
    SIGNATURE_NAME,
    FileEntry,
    PackageManifest,
    parse_manifest,
)
from researchos.package.rocrate import check_crate
from researchos.package.safety import ArchiveLimits, checked_members, open_archive
from researchos.package.signing import (
    SIGNATURE_BYTES,
    PublicKey,
    normalise_trusted_key,
    public_key_from_pem,
)
from researchos.package.versions import sidecar_signature

_UNINDEXED = (MANIFEST_NAME, SIGNATURE_NAME)


@dataclass
class VerificationReport:
    path: str
    name: str | None = None
    slug: str | None = None
    version: int | None = None
    created: str | None = None
    mock: bool | None = None
    files_checked: int = 0
    bytes_checked: int = 0
    signature_valid: bool = False
    signer: str | None = None
    public_key: str | None = None
    trusted_key_match: bool | None = None
    workspace_key_match: bool | None = None
    sidecar_signature: bool | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.signature_valid

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, **asdict(self)}


def verify(
    zip_path: Path,
    *,
    trusted_key: str | None = None,
    workspace_key: PublicKey | None = None,
    progress: ProgressSink | None = None,
    limits: ArchiveLimits | None = None,
) -> VerificationReport:
    """Verify ``zip_path`` offline; never writes anything."""
    limits = limits or ArchiveLimits()
    trusted = normalise_trusted_key(trusted_key) if trusted_key else None
    display = zip_path.name
    report = VerificationReport(path=str(zip_path))
    with open_archive(zip_path) as archive:
        members = checked_members(
            archive, display=display, size=zip_path.stat().st_size, limits=limits
        )
        raw = _read_metadata(archive, members, MANIFEST_NAME, display, limits, required=True)
        manifest = parse_manifest(raw)
        _describe(report, manifest)
        public = _check_signature(archive, members, manifest, raw, report, display, limits)
        _check_members(archive, members, manifest, report, progress or NoProgress())
        _check_crate(archive, members, manifest, report, display, limits)
    _check_sidecar(zip_path, raw, public, report)
    _check_trust(public, trusted, workspace_key, report)
    return report


def _describe(report: VerificationReport, manifest: PackageManifest) -> None:
    report.name = manifest.name
    report.slug = manifest.ara.slug
    report.version = manifest.version
    report.created = manifest.created.isoformat()
    report.mock = manifest.mock


def _read_metadata(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    name: str,
    display: str,
    limits: ArchiveLimits,
    *,
    required: bool = False,
) -> bytes:
    info = members.get(name)
    if info is None:
        if required:
            raise InputError(
                f"has no {name}; it is not a ResearchOS package",
                file=display,
                fix="verify the .zip that `researchos package freeze` wrote",
            )
        return b""
    if info.file_size > limits.max_metadata_bytes:
        raise UnsafeInput(
            f"declares {info.file_size} bytes, over the {limits.max_metadata_bytes}-byte limit",
            file=display,
            field=f"member {name!r}",
        )
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(f"is corrupt ({exc})", file=display, field=f"member {name!r}") from None


def _read_optional(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    name: str,
    display: str,
    limits: ArchiveLimits,
    report: VerificationReport,
) -> bytes:
    """A metadata member whose corruption is a finding, not a reason to stop."""
    try:
        return _read_metadata(archive, members, name, display, limits)
    except UnsafeInput:
        raise
    except InputError as exc:
        report.problems.append(f"{name}: {exc.problem}")
        return b""


def _pem_key(pem: bytes, report: VerificationReport) -> PublicKey | None:
    try:
        return public_key_from_pem(pem, display=PUBLIC_KEY_NAME)
    except InputError as exc:
        report.problems.append(f"{PUBLIC_KEY_NAME}: {exc.problem}")
        return None


def _check_signature(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    manifest: PackageManifest,
    raw: bytes,
    report: VerificationReport,
    display: str,
    limits: ArchiveLimits,
) -> PublicKey | None:
    try:
        raw_key = bytes.fromhex(manifest.signer.public_key)
    except ValueError:
        raw_key = b""
    if len(raw_key) != 32:
        report.problems.append(f"{MANIFEST_NAME}: signer.public_key is not a 64-hex Ed25519 key")
        return None
    public = PublicKey(raw_key)
    report.signer, report.public_key = public.fingerprint, public.hex
    if manifest.signer.fingerprint != public.fingerprint:
        report.problems.append(f"{MANIFEST_NAME}: signer.fingerprint does not match its key")
    pem = _read_optional(archive, members, PUBLIC_KEY_NAME, display, limits, report)
    if pem and _pem_key(pem, report) not in (public, None):
        report.problems.append(f"{PUBLIC_KEY_NAME}: is not the key named in {MANIFEST_NAME}")
    signature = _read_optional(archive, members, SIGNATURE_NAME, display, limits, report)
    if not signature:
        report.problems.append(f"{SIGNATURE_NAME}: missing; the package is not signed")
    elif len(signature) != SIGNATURE_BYTES or not public.verifies(signature, raw):
        report.problems.append(
            f"{SIGNATURE_NAME}: the signature does not verify over {MANIFEST_NAME} "
            "(the manifest or the signature was altered)"
        )
    else:
        report.signature_valid = True
    return public


def _check_members(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    manifest: PackageManifest,
    report: VerificationReport,
    progress: ProgressSink,
) -> None:
    listed = {entry.path for entry in manifest.files}
    if len(listed) != len(manifest.files):
        report.problems.append(f"{MANIFEST_NAME}: lists a file more than once")
    for name in sorted(set(members) - listed - set(_UNINDEXED)):
        report.problems.append(f"{name}: in the ZIP but not in the manifest (extra member)")
    progress.start(f"verify {manifest.name}", sum(e.size for e in manifest.files))
    with hashing_pool() as pool:
        for entry in manifest.files:
            info = members.get(entry.path)
            if info is None:
                report.problems.append(f"{entry.path}: listed in the manifest but missing")
            elif info.file_size != entry.size:
                report.problems.append(
                    f"{entry.path}: {info.file_size} bytes, the manifest says {entry.size}"
                )
            else:
                problem = _check_member(archive, info, entry, StreamDigest(pool), progress)
                report.files_checked += 1
                report.bytes_checked += entry.size
                if problem:
                    report.problems.append(f"{entry.path}: {problem}")


def _check_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    entry: FileEntry,
    digest: StreamDigest,
    progress: ProgressSink,
) -> str | None:
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                progress.advance(len(chunk))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        digest.hexdigest()  # drain the hashing thread before moving on
        return f"content altered or corrupt ({exc})"
    actual = digest.hexdigest()
    if digest.size != entry.size:
        return f"{digest.size} bytes read, the manifest says {entry.size}"
    if actual != entry.sha256:
        return f"sha256 is {actual[:16]}…, the manifest says {entry.sha256[:16]}… (altered)"
    return None


def _check_crate(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    manifest: PackageManifest,
    report: VerificationReport,
    display: str,
    limits: ArchiveLimits,
) -> None:
    entries = {entry.path: entry for entry in manifest.files}
    if CRATE_NAME not in entries:
        report.problems.append(f"{CRATE_NAME}: missing from the manifest")
        return
    raw = _read_optional(archive, members, CRATE_NAME, display, limits, report)
    if not raw:
        return
    try:
        crate = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        report.problems.append(f"{CRATE_NAME}: not valid UTF-8 JSON")
        return
    report.problems += [f"{CRATE_NAME}: {problem}" for problem in check_crate(crate)]
    for entity in crate.get("@graph", []) if isinstance(crate, dict) else []:
        if isinstance(entity, dict) and entity.get("@type") == "File":
            member = unquote(str(entity.get("@id")))
            entry = entries.get(member)
            if member not in members:
                report.problems.append(f"{CRATE_NAME}: File {member!r} is not in the ZIP")
            elif "sha256" in entity and (entry is None or entity["sha256"] != entry.sha256):
                report.problems.append(f"{CRATE_NAME}: sha256 of {member!r} differs from manifest")


def _check_sidecar(
    zip_path: Path, raw: bytes, public: PublicKey | None, report: VerificationReport
) -> None:
    path = sidecar_signature(zip_path)
    if not path.is_file() or public is None:
        return
    with path.open("rb") as handle:
        data = handle.read(SIGNATURE_BYTES + 1)
    report.sidecar_signature = len(data) == SIGNATURE_BYTES and public.verifies(data, raw)
    if not report.sidecar_signature:
        report.problems.append(f"{path.name}: the signature beside the ZIP does not verify")


def _check_trust(
    public: PublicKey | None,
    trusted: str | None,
    workspace_key: PublicKey | None,
    report: VerificationReport,
) -> None:
    if public is None:
        return
    if workspace_key is not None:
        report.workspace_key_match = public == workspace_key
    if trusted is not None:
        report.trusted_key_match = public.matches(trusted)
        if not report.trusted_key_match:
            report.problems.append(
                f"signed by key {public.fingerprint}, not by the trusted key {trusted}"
            )
    elif not report.workspace_key_match:
        report.notes.append(
            "no trusted key given: this proves the package is intact and self-consistent, "
            "not who signed it; pass --trusted-key with the signer's published key"
        )
