"""Where packages live, how versions are numbered, and what counts as a published package.

``packages/<slug>/<slug>-v<N>.zip`` with ``<slug>-v<N>.manifest.json`` (tracked in git) and
``<slug>-v<N>.manifest.json.sig`` beside it. A package is published once its manifest is
committed; a ZIP without a committed manifest is the leftover of a freeze that crashed
between publishing and committing, and the next freeze of that ARA removes it. Versions only
grow: N is one more than any version that has a manifest or a ZIP.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from researchos.errors import InputError
from researchos.files import TMP_SUFFIX
from researchos.package.manifest import PackageManifest, parse_manifest
from researchos.workspace.layout import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackageNames:
    directory: Path
    slug: str
    version: int

    @property
    def name(self) -> str:
        return f"{self.slug}-v{self.version}"

    @property
    def zip(self) -> Path:
        return self.directory / f"{self.name}.zip"

    @property
    def manifest(self) -> Path:
        return self.directory / f"{self.name}.manifest.json"

    @property
    def signature(self) -> Path:
        return self.directory / f"{self.name}.manifest.json.sig"

    def temp_zip(self) -> Path:
        return self.directory / f".{self.name}.zip.{secrets.token_hex(4)}{TMP_SUFFIX}"


def sidecar_signature(zip_path: Path) -> Path:
    """The .sig written next to a package ZIP."""
    return zip_path.with_name(f"{zip_path.name.removesuffix('.zip')}.manifest.json.sig")


def _pattern(slug: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(slug)}-v(\d+)\.(zip|manifest\.json|manifest\.json\.sig)$")


def versions_on_disk(directory: Path, slug: str) -> set[int]:
    if not directory.is_dir():
        return set()
    pattern = _pattern(slug)
    return {int(m.group(1)) for p in directory.iterdir() if (m := pattern.match(p.name))}


def tracked_manifests(workspace: Workspace, slug: str) -> set[str]:
    out = workspace.git.run("ls-files", "-z", "--", f"packages/{slug}/").stdout
    return {Path(p).name for p in out.split("\0") if p.endswith(".manifest.json")}


def sweep(workspace: Workspace, slug: str) -> list[str]:
    """Remove temp ZIPs and unpublished leftovers of crashed freezes; return what went."""
    directory = workspace.packages_dir / slug
    if not directory.is_dir():
        return []
    removed = [p for p in directory.glob(f".*{TMP_SUFFIX}")]
    tracked = tracked_manifests(workspace, slug)
    for version in versions_on_disk(directory, slug):
        names = PackageNames(directory, slug, version)
        if names.manifest.name not in tracked:
            removed += [p for p in (names.zip, names.signature, names.manifest) if p.exists()]
    for path in removed:
        log.warning("removing %s left by an interrupted freeze", workspace.relative(path))
        path.unlink(missing_ok=True)
    return [p.name for p in removed]


def next_version(workspace: Workspace, slug: str) -> int:
    return max(versions_on_disk(workspace.packages_dir / slug, slug), default=0) + 1


@dataclass(frozen=True)
class PackageInfo:
    """One published package as ``researchos package ls`` shows it."""

    slug: str
    version: int
    name: str
    manifest: str
    zip: str | None
    zip_bytes: int | None
    created: str
    files: int
    content_bytes: int
    mock: bool
    signer: str

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def list_packages(workspace: Workspace, slug: str | None = None) -> list[PackageInfo]:
    root = workspace.packages_dir
    if not root.is_dir():
        return []
    slugs = [slug] if slug else sorted(p.name for p in root.iterdir() if p.is_dir())
    infos: list[PackageInfo] = []
    for name in slugs:
        directory = root / name
        for version in sorted(versions_on_disk(directory, name)):
            names = PackageNames(directory, name, version)
            if names.manifest.is_file():
                infos.append(_info(workspace, names, _read(names.manifest, workspace)))
    return infos


def _read(path: Path, workspace: Workspace) -> PackageManifest:
    try:
        return parse_manifest(path.read_bytes())
    except InputError as exc:
        raise InputError(exc.problem, file=workspace.relative(path), field=exc.field) from None


def _info(workspace: Workspace, names: PackageNames, manifest: PackageManifest) -> PackageInfo:
    has_zip = names.zip.is_file()
    return PackageInfo(
        slug=names.slug,
        version=names.version,
        name=names.name,
        manifest=workspace.relative(names.manifest),
        zip=workspace.relative(names.zip) if has_zip else None,
        zip_bytes=names.zip.stat().st_size if has_zip else None,
        created=manifest.created.isoformat(),
        files=len(manifest.files),
        content_bytes=sum(f.size for f in manifest.files),
        mock=manifest.mock,
        signer=manifest.signer.fingerprint,
    )
