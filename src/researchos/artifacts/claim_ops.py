"""Claim operations of ``AraService``: add one or many, update, check references."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from researchos.artifacts.base import AraBase, Origin, next_id
from researchos.artifacts.models import (
    TRACE_TYPES,
    Claim,
    utcnow,
)
from researchos.artifacts.reader import (
    AraPaths,
    load_manifest,
    model_from_data,
    trace_ids,
)
from researchos.errors import Conflict, InputError
from researchos.files import safe_relative
from researchos.history.changes import content_change


class ClaimOps(AraBase):
    def add_claim(
        self, slug: str, data: Mapping[str, Any], *, origin: Origin | None = None
    ) -> Claim:
        """Add a claim; ``data`` holds claim fields, ``id`` optional (next C#### if absent)."""
        paths = self.paths(slug)
        meta = self._meta("claim.add", slug, "add claim", origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            manifest = load_manifest(paths)
            fields = {**data, "id": data.get("id") or next_id("C", manifest.claims)}
            claim = model_from_data(
                Claim, fields, display=paths.display(paths.claim(str(fields["id"])))
            )
            if claim.id in manifest.claims or paths.claim(claim.id).exists():
                raise Conflict(
                    f"claim {claim.id} already exists in {paths.display(paths.claim(claim.id))}",
                    fix="choose another id or leave it out",
                )
            self._check_claim_references(paths, manifest.claims, claim)
            manifest.claims = [*manifest.claims, claim.id]
            manifest.updated = utcnow()
            cs.write_yaml(paths.claim(claim.id), claim)
            cs.write_yaml(paths.manifest, manifest)
            cs.describe(f"add claim {claim.id}: {claim.statement[:80]}", Claim=claim.id)
        self._after(cs, slug, claims=[claim])
        return claim

    def add_claims(
        self,
        slug: str,
        items: Iterable[Mapping[str, Any]],
        *,
        files: Mapping[str, bytes | str] | None = None,
        event: str = "claim.add",
        summary: str | None = None,
        origin: Origin | None = None,
    ) -> list[Claim]:
        """Add several claims, and the files they cite, as one atomic change.

        For results that stand or fall together (an analysis: evidence plus every claim drawn
        from it). Claims may depend on claims earlier in ``items``. The commit carries one
        ``Researchos-Claim`` trailer per claim, so ``researchos log --claim`` finds each.
        """
        paths = self.paths(slug)
        meta = self._meta(event, slug, summary or "add claims", origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            for rel, content in (files or {}).items():
                cs.write_bytes(safe_relative(paths.root, rel, field="path"), content)
            manifest = load_manifest(paths)
            ids, claims = list(manifest.claims), []
            for item in items:
                fields = {**item, "id": item.get("id") or next_id("C", ids)}
                display = paths.display(paths.claim(str(fields["id"])))
                claim = model_from_data(Claim, fields, display=display)
                if claim.id in ids or paths.claim(claim.id).exists():
                    raise Conflict(f"claim {claim.id} already exists in {display}")
                self._check_claim_references(paths, ids, claim)
                ids.append(claim.id)
                cs.write_yaml(paths.claim(claim.id), claim)
                claims.append(claim)
            manifest.claims = ids
            manifest.updated = utcnow()
            cs.write_yaml(paths.manifest, manifest)
            text = summary or f"add {len(claims)} claims"
            cs.describe(text, Claim=tuple(c.id for c in claims))
        self._after(cs, slug, claims=claims)
        return claims

    def update_claim(
        self,
        slug: str,
        claim_id: str,
        changes: Mapping[str, Any],
        *,
        event: str = "claim.update",
        origin: Origin | None = None,
        trailers: Mapping[str, str] | None = None,
    ) -> Claim:
        """Change fields of a claim (``claim.promote`` for status changes, for example).

        ``trailers`` adds ``Researchos-<key>`` lines to the commit (Seal L2 records both
        reviewers' verdicts on a promotion this way).
        """
        paths = self.paths(slug)
        meta = self._meta(event, slug, f"update claim {claim_id}", origin, trailers)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            current = self.claim(slug, claim_id)
            if "id" in changes and changes["id"] != claim_id:
                raise InputError(
                    "a claim id cannot change",
                    field="id",
                    file=paths.display(paths.claim(claim_id)),
                )
            merged = {**current.model_dump(mode="json"), **changes, "updated": utcnow()}
            claim = model_from_data(Claim, merged, display=paths.display(paths.claim(claim_id)))
            self._check_claim_references(paths, load_manifest(paths).claims, claim)
            cs.write_yaml(paths.claim(claim_id), claim)
            what = ", ".join(sorted(changes))
            if current.status != claim.status:
                what = f"status {current.status} -> {claim.status}"
            cs.describe(f"{claim_id}: {what}", Claim=claim_id)
        self._after(cs, slug, claims=[claim])
        return claim

    def _check_claim_references(
        self, paths: AraPaths, claim_ids: Iterable[str], claim: Claim
    ) -> None:
        display = paths.display(paths.claim(claim.id))
        known = set(claim_ids)
        for i, dep in enumerate(claim.dependencies):
            if dep not in known:
                raise InputError(
                    f"unknown claim {dep}",
                    file=display,
                    field=f"dependencies.{i}",
                    fix="add the claim it depends on first",
                )
        for i, ref in enumerate(claim.evidence):
            target = safe_relative(paths.root, ref.path, file=display, field=f"evidence.{i}.path")
            if not target.is_file():
                raise InputError(
                    f"evidence file {ref.path} does not exist",
                    file=display,
                    field=f"evidence.{i}.path",
                    fix=f"add it with `researchos ara add-evidence {paths.slug}`",
                )
        all_traces = {t for kind in TRACE_TYPES for t in trace_ids(paths, kind)}
        for i, trace in enumerate(claim.traces):
            if trace not in all_traces:
                raise InputError(f"unknown trace {trace}", file=display, field=f"traces.{i}")
