"""ARA operations: create, read and extend ARAs, one semantic commit per change.

Every mutation runs inside ``content_change`` (per-ARA lock, workspace git lock, atomic
writes, rollback on error) and then refreshes the store's index and audit trail. The files
are the truth; the index can always be rebuilt from them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from researchos.artifacts.base import AraBase, Origin, TraceItem
from researchos.artifacts.claim_ops import ClaimOps
from researchos.artifacts.models import (
    AraManifest,
    AraProvenance,
    EvidenceRef,
    ExplorationTree,
    slugify,
    utcnow,
)
from researchos.artifacts.reader import (
    AraPaths,
    load_manifest,
    model_from_data,
)
from researchos.artifacts.trace_ops import TraceOps
from researchos.errors import Conflict, InputError, UnsafeInput
from researchos.files import safe_relative, sha256_file
from researchos.history.changes import content_change

_EVIDENCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
SKELETON_DIRS = (
    "claims",
    "traces/failures",
    "traces/decisions",
    "traces/checkpoints",
    "evidence/raw",
    "evidence/figures",
    "code/src",
    "views",
)
__all__ = ["AraBase", "AraService", "Origin", "TraceItem"]


class AraService(ClaimOps, TraceOps):
    """Create, read and extend ARAs; every write is one semantic commit."""

    def create(
        self,
        *,
        title: str,
        slug: str | None = None,
        authors: Iterable[str] = (),
        mode: str = "production",
        description: str = "",
        tags: Iterable[str] = (),
        provenance: AraProvenance | None = None,
        origin: Origin | None = None,
    ) -> AraManifest:
        slug = slug or slugify(title)
        manifest = model_from_data(
            AraManifest,
            {
                "id": str(uuid.uuid4()),
                "title": title,
                "slug": slug,
                "authors": list(authors),
                "mode": mode,
                "description": description,
                "tags": list(tags),
                "provenance": (
                    provenance or AraProvenance(created_by=(origin or Origin(self.actor)).actor)
                ).model_dump(),
            },
            display="ara.yaml",
        )
        paths = AraPaths(self.workspace.ara_path(slug))
        meta = self._meta("ara.create", slug, f"create ARA {title!r}", origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            if paths.root.exists():
                raise Conflict(f"an ARA named {slug!r} already exists", fix="choose another --slug")
            for sub in SKELETON_DIRS:
                cs.write_bytes(paths.root / sub / ".gitkeep", b"")
            cs.write_yaml(paths.exploration, ExplorationTree())
            cs.write_yaml(paths.manifest, manifest)
        self._after(cs, slug)
        return manifest

    def add_evidence(
        self,
        slug: str,
        source: Path,
        *,
        subdir: str = "raw",
        name: str | None = None,
        claim_id: str | None = None,
        locator: str | None = None,
        kind: str | None = None,
        origin: Origin | None = None,
    ) -> EvidenceRef:
        """Copy ``source`` under ``evidence/<subdir>/`` and record its sha256."""
        paths = self.paths(slug)
        name = name or source.name
        if not _EVIDENCE_NAME.match(name):
            raise UnsafeInput(
                f"evidence file name {name!r} is not allowed",
                field="name",
                fix="use letters, digits, '.', '_' and '-' only",
            )
        if not source.is_file():
            raise InputError("is not a readable file", file=str(source))
        dest = safe_relative(paths.evidence_dir, f"{subdir}/{name}", field="subdir")
        digest = sha256_file(source)
        rel = dest.relative_to(paths.root).as_posix()
        ref = EvidenceRef(
            path=rel,
            sha256=digest,
            locator=locator,
            kind=kind,
            run_id=origin.run_id if origin else None,
        )
        meta = self._meta("evidence.add", slug, f"add evidence {rel}", origin, {"Sha256": digest})
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            if dest.exists() and sha256_file(dest) != digest:
                raise Conflict(
                    f"{paths.display(dest)} already exists with other content",
                    fix="evidence is immutable; use another --name",
                )
            cs.copy_file(source, dest)
            if claim_id:
                claim = self.claim(slug, claim_id)
                claim.evidence = [*claim.evidence, ref]
                claim.updated = utcnow()
                cs.write_yaml(paths.claim(claim_id), claim)
                cs.describe(f"add evidence {rel} to claim {claim_id}", Claim=claim_id)
        claims = [self.claim(slug, claim_id)] if claim_id else []
        self._after(cs, slug, claims=claims)
        return ref

    def write_files(
        self,
        slug: str,
        files: Mapping[str, bytes | str],
        *,
        event: str,
        summary: str,
        origin: Origin | None = None,
        modes: Mapping[str, int] | None = None,
        delete: Iterable[str] = (),
    ) -> str | None:
        """Write (and ``delete``) several files of an ARA as one change."""
        paths = self.paths(slug)
        meta = self._meta(event, slug, summary, origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            for rel, data in files.items():
                target = safe_relative(paths.root, rel, field="path")
                cs.write_bytes(target, data, mode=(modes or {}).get(rel))
            for rel in delete:
                cs.delete(safe_relative(paths.root, rel, field="path"))
        self._after(cs, slug)
        return cs.commit

    def update_manifest(
        self,
        slug: str,
        changes: Mapping[str, Any],
        *,
        event: str,
        summary: str,
        origin: Origin | None = None,
    ) -> AraManifest:
        paths = self.paths(slug)
        meta = self._meta(event, slug, summary, origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            merged = {
                **load_manifest(paths).model_dump(mode="json"),
                **changes,
                "updated": utcnow().isoformat(),
            }
            manifest = model_from_data(AraManifest, merged, display=paths.display(paths.manifest))
            cs.write_yaml(paths.manifest, manifest)
        self._after(cs, slug)
        return manifest

    # --- index and audit -------------------------------------------------------------------
