"""``freeze``: one ARA -> ``packages/<slug>/<slug>-v<N>.zip``, signed, its manifest committed.

Order of work, and why:
1. refuse early (blockers, an invalid or uncommitted ARA, bad ``extra``) — nothing written;
2. under the ARA lock (writers of the ARA wait, so the snapshot is consistent), stream every
   file into a temp ZIP in one pass that hashes and stores it, then add the signing key, the
   RO-Crate, the manifest and its signature; fsync;
3. inside one ``content_change`` (the git lock is held only for this short step): write the
   manifest into the workspace, link the temp ZIP to its final name (``os.link`` never
   overwrites), write the .sig beside it, and commit ``package.freeze(<slug>): ...``.
Any exception removes the temp ZIP, and everything published in step 3 if the commit did not
happen. A crash leaves at most a temp ZIP (or an uncommitted one), which the next freeze of
the ARA sweeps (see versions.py).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from researchos.artifacts.models import utcnow
from researchos.artifacts.reader import AraPaths, load_claim, load_manifest
from researchos.artifacts.service import Origin
from researchos.artifacts.validate import validate_ara
from researchos.errors import Conflict, InputError, NotFound
from researchos.files import write_atomic
from researchos.history.changes import content_change
from researchos.history.commits import ChangeMeta
from researchos.history.locks import ara_lock
from researchos.package.archive import PackageWriter
from researchos.package.contents import ara_sources, refuse_clashes, run_sources
from researchos.package.digest import NoProgress, ProgressSink
from researchos.package.manifest import (
    CRATE_NAME,
    MANIFEST_NAME,
    PUBLIC_KEY_NAME,
    SIGNATURE_NAME,
    FreezeExtra,
    PackageManifest,
    parse_extra,
)
from researchos.package.provenance import (
    FreezePlan,
    ara_info,
    check_evidence,
    compose_manifest,
    run_records,
)
from researchos.package.rocrate import build_crate, crate_bytes
from researchos.package.signing import KeyStore, SigningKey
from researchos.package.versions import PackageNames, next_version, sweep
from researchos.workspace.layout import Workspace

MAX_LISTED_PROBLEMS = 5


@dataclass(frozen=True)
class FreezeResult:
    slug: str
    version: int
    name: str
    zip_path: Path
    signature_path: Path
    manifest_path: Path
    files: int
    content_bytes: int
    zip_bytes: int
    manifest_sha256: str
    fingerprint: str
    mock: bool
    commit: str | None

    def to_dict(self, workspace: Workspace) -> dict[str, object]:
        return {
            "slug": self.slug,
            "version": self.version,
            "name": self.name,
            "zip": workspace.relative(self.zip_path),
            "signature": workspace.relative(self.signature_path),
            "manifest": workspace.relative(self.manifest_path),
            "files": self.files,
            "content_bytes": self.content_bytes,
            "zip_bytes": self.zip_bytes,
            "manifest_sha256": self.manifest_sha256,
            "signer": self.fingerprint,
            "mock": self.mock,
            "commit": self.commit,
        }


def freeze(
    workspace: Workspace,
    slug: str,
    *,
    keys: KeyStore,
    extra: Mapping[str, Any] | None = None,
    blockers: Sequence[str] = (),
    origin: Origin,
    progress: ProgressSink | None = None,
) -> FreezeResult:
    """Freeze ARA ``slug`` into the next package version; see the module docstring."""
    refuse_blockers(slug, blockers)
    spec = parse_extra(extra)
    paths = AraPaths(workspace.ara_path(slug))
    if not paths.manifest.is_file():
        raise NotFound(f"no ARA named {slug!r}", fix="see `researchos ara list`")
    with ara_lock(workspace.locks_dir, slug):
        refuse_invalid(paths)
        refuse_uncommitted(workspace, slug)
        key = keys.load_or_create()
        plan = _plan(workspace, paths, spec)
        return _publish(workspace, plan, key, origin, progress or NoProgress())


def refuse_blockers(slug: str, blockers: Sequence[str]) -> None:
    if blockers:
        listed = "; ".join(blockers)
        raise Conflict(
            f"cannot freeze {slug}: {len(blockers)} blocker(s): {listed}",
            fix="resolve or waive the open P0/P1 review issues and answer pending approvals",
        )


def refuse_invalid(paths: AraPaths) -> None:
    # hashes are compared against the bytes actually packed (see provenance.check_evidence), which
    # saves reading every evidence file twice
    report = validate_ara(paths.root, check_hashes=False)
    if not report.ok:
        shown = [str(p) for p in report.problems[:MAX_LISTED_PROBLEMS]]
        more = len(report.problems) - len(shown)
        raise InputError(
            f"the ARA does not validate: {'; '.join(shown)}" + (f" (+{more} more)" if more else ""),
            file=f"ara/{paths.slug}",
            fix=f"run `researchos ara validate {paths.slug}` and fix the problems",
        )


def refuse_uncommitted(workspace: Workspace, slug: str) -> None:
    status = workspace.git.run(
        "status", "--porcelain=v1", "--untracked-files=all", "--", f"ara/{slug}"
    ).stdout
    dirty = [line[3:] for line in status.splitlines() if line.strip()]
    if dirty:
        raise Conflict(
            f"ara/{slug} has uncommitted changes ({', '.join(dirty[:5])}); a package must "
            "match a commit",
            fix="run any researchos command to recover interrupted changes, or commit them",
        )


def _plan(workspace: Workspace, paths: AraPaths, spec: FreezeExtra) -> FreezePlan:
    ara = load_manifest(paths)
    sources = ara_sources(workspace, paths)
    runs = run_sources(workspace, spec.runs)
    refuse_clashes([*sources, *(s for items in runs.values() for s in items)])
    sweep(workspace, paths.slug)
    version = next_version(workspace, paths.slug)
    return FreezePlan(
        ara=ara,
        claims=[load_claim(paths, claim_id) for claim_id in ara.claims],
        extra=spec,
        sources=sources,
        run_sources=runs,
        names=PackageNames(workspace.packages_dir / paths.slug, paths.slug, version),
        created=utcnow(),
        source_commit=workspace.git.head(),
    )


def _publish(
    workspace: Workspace, plan: FreezePlan, key: SigningKey, origin: Origin, progress: ProgressSink
) -> FreezeResult:
    names = plan.names
    names.directory.mkdir(parents=True, exist_ok=True)
    temp = names.temp_zip()
    published: list[Path] = []
    commit: str | None = None
    try:
        manifest, data = _build(temp, plan, key, progress)
        meta = ChangeMeta(
            event="package.freeze",
            scope=names.slug,
            summary=_summary(manifest),
            actor=origin.actor,
            model_tier=origin.model_tier,
            run_id=origin.run_id,
            extra={
                "Package-Version": str(names.version),
                "Manifest-Sha256": hashlib.sha256(data).hexdigest(),
                "Signing-Key": key.public.fingerprint,
            },
        )
        with content_change(workspace.root, workspace.var_dir, meta) as change:
            change.write_bytes(names.manifest, data)
            published.append(names.manifest)
            os.link(temp, names.zip)  # fails rather than overwrite an existing version
            published.append(names.zip)
            write_atomic(names.signature, key.sign(data))
            published.append(names.signature)
        commit = change.commit
    except BaseException:
        if commit is None:
            for path in published:
                path.unlink(missing_ok=True)
        raise
    finally:
        temp.unlink(missing_ok=True)
    return _result(plan, manifest, data, key, commit)


def _summary(manifest: PackageManifest) -> str:
    size = sum(f.size for f in manifest.files)
    mock = " [MOCK]" if manifest.mock else ""
    return f"freeze {manifest.name} ({len(manifest.files)} files, {size} bytes){mock}"


def _build(
    temp: Path, plan: FreezePlan, key: SigningKey, progress: ProgressSink
) -> tuple[PackageManifest, bytes]:
    every = [*plan.sources, *(s for items in plan.run_sources.values() for s in items)]
    progress.start(f"freeze {plan.names.name}", sum(s.size for s in every))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w+b") as handle:
        writer = PackageWriter(handle, when=plan.created, progress=progress)
        try:
            entries = [writer.add_file(source) for source in every]
            check_evidence(plan, entries)
            entries.append(writer.add_bytes(PUBLIC_KEY_NAME, key.public.pem(), role="metadata"))
            runs = run_records(plan)
            info = ara_info(plan)
            crate = build_crate(
                ara=info,
                description=plan.ara.description,
                keywords=plan.ara.tags,
                version=plan.names.version,
                created=plan.created,
                license_url=plan.extra.license,
                entries=entries,
                runs=runs,
            )
            entries.append(writer.add_bytes(CRATE_NAME, crate_bytes(crate), role="metadata"))
            manifest = compose_manifest(plan, info, entries, runs, key)
            data = manifest.to_bytes()
            writer.add_unindexed(MANIFEST_NAME, data)
            writer.add_unindexed(SIGNATURE_NAME, key.sign(data))
        finally:
            writer.close()
        handle.flush()
        os.fsync(handle.fileno())
    return manifest, data


def _result(
    plan: FreezePlan, manifest: PackageManifest, data: bytes, key: SigningKey, commit: str | None
) -> FreezeResult:
    names = plan.names
    return FreezeResult(
        slug=names.slug,
        version=names.version,
        name=names.name,
        zip_path=names.zip,
        signature_path=names.signature,
        manifest_path=names.manifest,
        files=len(manifest.files),
        content_bytes=sum(f.size for f in manifest.files),
        zip_bytes=names.zip.stat().st_size,
        manifest_sha256=hashlib.sha256(data).hexdigest(),
        fingerprint=key.public.fingerprint,
        mock=manifest.mock,
        commit=commit,
    )
