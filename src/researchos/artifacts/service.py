"""ARA operations: create, read and extend ARAs, one semantic commit per change.

Every mutation runs inside ``content_change`` (per-ARA lock, workspace git lock, atomic
writes, rollback on error) and then refreshes the store's index and audit trail. The files
are the truth; the index can always be rebuilt from them.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from researchos.artifacts.models import (
    TRACE_ID_PREFIX,
    TRACE_TYPES,
    AraManifest,
    AraProvenance,
    Claim,
    EvidenceRef,
    ExplorationNode,
    ExplorationTree,
    FailureTrace,
    Trace,
    slugify,
    utcnow,
)
from researchos.artifacts.reader import (
    AraPaths,
    load_claim,
    load_exploration,
    load_manifest,
    load_trace,
    model_from_data,
    trace_ids,
)
from researchos.errors import Conflict, InputError, NotFound, UnsafeInput
from researchos.files import safe_relative, sha256_file
from researchos.history.changes import ChangeSet, content_change
from researchos.history.commits import ChangeMeta
from researchos.store import audit, index
from researchos.store.database import Database
from researchos.workspace.layout import Workspace

log = logging.getLogger(__name__)
_EVIDENCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
NODE_FOR_TRACE = {"failure": "dead_end", "decision": "decision", "checkpoint": "experiment"}
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


@dataclass(frozen=True)
class TraceItem:
    """One trace to add: its kind, its fields, and the exploration-tree parent node."""

    kind: str
    data: Mapping[str, Any]
    parent: str | None = None


@dataclass(frozen=True)
class Origin:
    """Who or what makes a change: recorded in commit trailers and the audit trail."""

    actor: str
    model_tier: str | None = None
    run_id: str | None = None


def _next_id(prefix: str, existing: Iterable[str]) -> str:
    numbers = [int(m.group(1)) for item in existing if (m := re.fullmatch(rf"{prefix}(\d+)", item))]
    return f"{prefix}{(max(numbers) + 1 if numbers else 1):04d}"


class AraService:
    def __init__(self, workspace: Workspace, database: Database | None, actor: str) -> None:
        self.workspace = workspace
        self.database = database
        self.actor = actor

    # --- reading ---------------------------------------------------------------------------

    def paths(self, slug: str) -> AraPaths:
        paths = AraPaths(self.workspace.ara_path(slug))
        if not paths.manifest.is_file():
            raise NotFound(f"no ARA named {slug!r}", fix="see `researchos ara list`")
        return paths

    def get(self, slug: str) -> AraManifest:
        return load_manifest(self.paths(slug))

    def all(self) -> list[AraManifest]:
        if not self.workspace.ara_dir.is_dir():
            return []
        return [
            load_manifest(AraPaths(p))
            for p in sorted(self.workspace.ara_dir.iterdir())
            if (p / "ara.yaml").is_file()
        ]

    def claims(self, slug: str) -> list[Claim]:
        paths = self.paths(slug)
        return [load_claim(paths, claim_id) for claim_id in load_manifest(paths).claims]

    def claim(self, slug: str, claim_id: str) -> Claim:
        paths = self.paths(slug)
        if not paths.claim(claim_id).is_file():
            raise NotFound(
                f"ARA {slug!r} has no claim {claim_id!r}", fix=f"see `researchos ara show {slug}`"
            )
        return load_claim(paths, claim_id)

    def traces(self, slug: str, kind: str | None = None) -> list[Trace]:
        paths = self.paths(slug)
        kinds = [kind] if kind else list(TRACE_TYPES)
        return [load_trace(paths, k, t) for k in kinds for t in trace_ids(paths, k)]

    def exploration(self, slug: str) -> ExplorationTree:
        return load_exploration(self.paths(slug))

    # --- writing ---------------------------------------------------------------------------

    def _meta(
        self,
        event: str,
        slug: str,
        summary: str,
        origin: Origin | None,
        extra: Mapping[str, str] | None = None,
    ) -> ChangeMeta:
        origin = origin or Origin(self.actor)
        return ChangeMeta(
            event=event,
            scope=slug,
            summary=summary,
            actor=origin.actor,
            model_tier=origin.model_tier,
            run_id=origin.run_id,
            extra=dict(extra or {}),
        )

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

    def add_claim(
        self, slug: str, data: Mapping[str, Any], *, origin: Origin | None = None
    ) -> Claim:
        """Add a claim; ``data`` holds claim fields, ``id`` optional (next C#### if absent)."""
        paths = self.paths(slug)
        meta = self._meta("claim.add", slug, "add claim", origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            manifest = load_manifest(paths)
            fields = {**data, "id": data.get("id") or _next_id("C", manifest.claims)}
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
                fields = {**item, "id": item.get("id") or _next_id("C", ids)}
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
    ) -> Claim:
        """Change fields of a claim (``claim.promote`` for status changes, for example)."""
        paths = self.paths(slug)
        meta = self._meta(event, slug, f"update claim {claim_id}", origin)
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

    def add_trace(
        self,
        slug: str,
        kind: str,
        data: Mapping[str, Any],
        *,
        parent: str | None = None,
        origin: Origin | None = None,
    ) -> Trace:
        """Add a failure, decision or checkpoint trace and its exploration-tree node."""
        return self.add_traces(slug, [TraceItem(kind, data, parent)], origin=origin)[0]

    def add_traces(
        self,
        slug: str,
        items: Iterable[TraceItem],
        *,
        event: str = "trace.add",
        summary: str | None = None,
        origin: Origin | None = None,
        skip_existing: bool = False,
    ) -> list[Trace]:
        """Add several traces (and their tree nodes) as one change.

        With ``skip_existing`` an item whose explicit id is already present is skipped, so a
        stage that died half-way can record the same traces again without duplicates.
        """
        paths = self.paths(slug)
        origin = origin or Origin(self.actor)
        meta = self._meta(event, slug, summary or "add traces", origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            existing = [t for k in TRACE_TYPES for t in trace_ids(paths, k)]
            tree = load_exploration(paths)
            added: list[Trace] = []
            for item in items:
                trace = self._trace_from(paths, item, existing, tree, origin, skip_existing)
                if trace is None:
                    continue
                existing.append(trace.id)
                cs.write_yaml(paths.trace(trace.kind, trace.id), trace)
                added.append(trace)
            if added:
                tree = model_from_data(
                    ExplorationTree,
                    tree.model_dump(mode="json"),
                    display=paths.display(paths.exploration),
                )
                cs.write_yaml(paths.exploration, tree)
                first = added[0]
                text = summary or (
                    f"add {first.kind} trace {first.id}: {first.title[:80]}"
                    if len(added) == 1
                    else f"add {len(added)} traces"
                )
                cs.describe(text, Trace=tuple(t.id for t in added) if len(added) > 1 else first.id)
        self._after(cs, slug, traces=added)
        return added

    def _trace_from(
        self,
        paths: AraPaths,
        item: TraceItem,
        existing: list[str],
        tree: ExplorationTree,
        origin: Origin,
        skip_existing: bool,
    ) -> Trace | None:
        if item.kind not in TRACE_TYPES:
            raise InputError(
                f"unknown trace kind {item.kind!r}",
                field="kind",
                fix=f"use one of: {', '.join(TRACE_TYPES)}",
            )
        fields = dict(item.data)
        if skip_existing and fields.get("id") in existing:
            return None
        fields.setdefault("id", _next_id(TRACE_ID_PREFIX[item.kind], existing))
        fields.setdefault("attribution", {"actor": origin.actor, "model_tier": origin.model_tier})
        if item.kind == "failure":
            fields.setdefault("discount_after", _months_ahead(18).isoformat())
        node_id = _next_id("N", [n.id for n in tree.nodes])
        fields.setdefault("node", node_id)
        display = paths.display(paths.trace(item.kind, str(fields["id"])))
        trace = model_from_data(TRACE_TYPES[item.kind], fields, display=display)
        if trace.id in existing:
            raise Conflict(
                f"trace {trace.id} already exists in ARA {paths.slug!r}",
                fix="choose another id or leave it out",
            )
        tree.nodes.append(_node_for(trace, node_id, item.parent))
        return trace

    def add_node(
        self, slug: str, data: Mapping[str, Any], *, origin: Origin | None = None
    ) -> ExplorationNode:
        """Add a question, experiment or pivot node to the exploration tree."""
        paths = self.paths(slug)
        meta = self._meta("trace.node", slug, "add exploration node", origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            tree = load_exploration(paths)
            fields = {**data, "id": data.get("id") or _next_id("N", [n.id for n in tree.nodes])}
            raw = tree.model_dump(mode="json")
            raw["nodes"].append(fields)
            tree = model_from_data(ExplorationTree, raw, display=paths.display(paths.exploration))
            node = tree.nodes[-1]
            cs.write_yaml(paths.exploration, tree)
            cs.describe(f"add {node.kind} node {node.id}: {node.title[:80]}", Node=node.id)
        self._after(cs, slug)
        return node

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

    def _after(
        self,
        cs: ChangeSet,
        slug: str,
        *,
        claims: Iterable[Claim] = (),
        traces: Iterable[Trace] = (),
    ) -> None:
        """Refresh the index and append the audit event; the files are already committed."""
        if self.database is None or cs.commit is None:
            return
        try:
            with self.database.session() as session:
                index.index_ara(
                    session,
                    load_manifest(self.paths(slug)),
                    trace_count=sum(len(trace_ids(self.paths(slug), k)) for k in TRACE_TYPES),
                )
                for claim in claims:
                    index.index_claim(session, slug, claim)
                for trace in traces:
                    index.index_trace(session, slug, trace)
                audit.record(
                    session,
                    actor=cs.meta.actor,
                    action=cs.meta.event,
                    target=slug,
                    payload={
                        "summary": cs.meta.summary,
                        "commit": cs.commit,
                        **dict(cs.meta.extra),
                    },
                )
        except Exception:  # the commit stands; `researchos reindex` repairs the index
            log.exception("index update after %s failed; run `researchos reindex`", cs.commit)


def _node_for(trace: Trace, node_id: str, parent: str | None) -> ExplorationNode:
    kind = NODE_FOR_TRACE[trace.kind]
    fields: dict[str, Any] = {
        "id": node_id,
        "kind": kind,
        "title": trace.title,
        "parent": parent,
        "trace": trace.id,
    }
    if isinstance(trace, FailureTrace):
        fields["hypothesis"] = trace.hypothesis or trace.tried
        fields["failure_mode"] = trace.why_failed
        fields["lesson"] = trace.lesson or "not recorded"
    return ExplorationNode.model_validate(fields)


def _months_ahead(months: int) -> date:
    today = utcnow().date()
    year, month = divmod(today.month - 1 + months, 12)
    return today.replace(year=today.year + year, month=month + 1, day=min(today.day, 28))
