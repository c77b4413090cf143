"""Write a distillation into an ARA through ``AraService``: nothing half-written.

Everything (claims, traces, exploration tree, manifest, redacted evidence) is built and
validated in memory first. Then one ``add_claims`` change writes it all as a single
``distill.add`` commit. A new ARA is created just before; if that last change fails, the new
ARA is removed again (``ara.discard``), and an ARA a crash left empty is reused by the next
run for the same transcript. Distillations into one ARA are serialised by a lock, and the
plan is rebuilt if the ARA changed while it was being made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from researchos.artifacts.models import (
    TRACE_TYPES,
    AraManifest,
    ExplorationTree,
    slugify,
)
from researchos.artifacts.reader import (
    AraPaths,
    load_exploration,
    load_manifest,
    model_from_data,
    trace_ids,
)
from researchos.artifacts.service import AraService, Origin
from researchos.errors import Conflict
from researchos.files import dump_yaml, iter_files, sha256_bytes
from researchos.history.changes import content_change
from researchos.history.commits import ChangeMeta
from researchos.history.git import Git
from researchos.history.locks import named_lock

MAX_SLUG_TRIES = 50


@dataclass(frozen=True)
class Target:
    slug: str
    new: bool  # create the ARA first
    resume: bool = False  # an empty ARA a crashed run of this transcript left behind


@dataclass(frozen=True)
class Written:
    slug: str
    created: bool
    claims: list[str]
    traces: list[str]
    evidence: str
    commit: str | None


def _unfinished(service: AraService, slug: str, origin: str) -> bool:
    paths = AraPaths(service.workspace.ara_path(slug))
    manifest = load_manifest(paths)
    empty = not manifest.claims and not any(trace_ids(paths, k) for k in TRACE_TYPES)
    return (
        manifest.provenance.source == "distill" and manifest.provenance.origin == origin and empty
    )


def choose_target(service: AraService, ara: str | None, base: str, origin: str) -> Target:
    if ara is not None:
        service.paths(ara)  # NotFound names the fix
        return Target(ara, new=False)
    stem = slugify(base)[:56].rstrip("-") or "session"
    for n in range(1, MAX_SLUG_TRIES + 1):
        slug = stem if n == 1 else f"{stem}-{n}"
        if not (service.workspace.ara_path(slug) / "ara.yaml").is_file():
            return Target(slug, new=True)
        if _unfinished(service, slug, origin):
            return Target(slug, new=False, resume=True)
    raise Conflict(f"{MAX_SLUG_TRIES} ARAs named {stem}-N exist", fix="pass --ara SLUG")


@dataclass
class Snapshot:
    """The state of the target ARA a plan was built on (empty for a new ARA)."""

    manifest: AraManifest | None
    tree: ExplorationTree
    taken: set[str]

    @classmethod
    def of(cls, service: AraService, target: Target) -> Snapshot:
        if target.new:
            return cls(None, ExplorationTree(), set())
        paths = service.paths(target.slug)
        manifest = load_manifest(paths)
        traces = {t for k in TRACE_TYPES for t in trace_ids(paths, k)}
        tree = load_exploration(paths)
        return cls(manifest, tree, {*manifest.claims, *traces, *(n.id for n in tree.nodes)})

    def same_as(self, other: Snapshot) -> bool:
        return self.taken == other.taken and self.manifest == other.manifest


@dataclass(frozen=True)
class Plan:
    claims: list[dict[str, Any]]
    files: dict[str, bytes | str]
    trace_ids: list[str]
    manifest_changes: dict[str, Any]


PlanBuilder = Callable[[Snapshot], Plan]


def final_manifest(base: AraManifest, changes: dict[str, Any], display: str) -> str:
    data = base.model_dump(mode="json")
    provenance = data["provenance"]
    provenance["routing"] = [*provenance.get("routing", []), *changes.get("routing", [])]
    data["flags"] = list(dict.fromkeys([*data.get("flags", []), *changes.get("flags", [])]))
    data["tags"] = list(dict.fromkeys([*data.get("tags", []), *changes.get("tags", [])]))
    manifest = model_from_data(AraManifest, data, display=display)
    return dump_yaml(manifest.model_dump(mode="json", exclude_none=True))


def write(
    service: AraService,
    target: Target,
    build: PlanBuilder,
    *,
    create: dict[str, Any],
    origin: Origin,
    summary: str,
) -> Written:
    locks = service.workspace.locks_dir
    with named_lock(locks, f"distill-{target.slug}"):
        snapshot = Snapshot.of(service, target)
        plan = build(snapshot)  # validates everything; raises before anything is written
        if target.new:
            base = service.create(**create, slug=target.slug, origin=origin)
            return _commit(service, target, plan, base, origin, summary, discard=True)
        if not snapshot.same_as(Snapshot.of(service, target)):  # someone wrote meanwhile
            snapshot = Snapshot.of(service, target)
            plan = build(snapshot)
        assert snapshot.manifest is not None
        return _commit(service, target, plan, snapshot.manifest, origin, summary, discard=False)


def _commit(
    service: AraService,
    target: Target,
    plan: Plan,
    base: AraManifest,
    origin: Origin,
    summary: str,
    *,
    discard: bool,
) -> Written:
    files = dict(plan.files)
    files["ara.yaml"] = final_manifest(base, plan.manifest_changes, f"ara/{target.slug}/ara.yaml")
    try:
        claims = service.add_claims(
            target.slug,
            plan.claims,
            files=files,
            event="distill.add",
            summary=summary,
            origin=origin,
        )
    except BaseException:
        if discard:
            discard_ara(service, target.slug, origin)
        raise
    evidence = next((p for p in plan.files if p.startswith("evidence/")), "")
    return Written(
        target.slug,
        target.new or target.resume,
        [c.id for c in claims],
        plan.trace_ids,
        evidence,
        Git(service.workspace.root).head(),
    )


def discard_ara(service: AraService, slug: str, origin: Origin) -> None:
    """Remove an ARA this distillation created, in one ``ara.discard`` commit."""
    root = service.workspace.ara_path(slug)
    meta = ChangeMeta(
        event="ara.discard",
        scope=slug,
        summary=f"remove ARA {slug!r}: its distillation failed before it was complete",
        actor=origin.actor,
        model_tier=origin.model_tier,
    )
    with content_change(service.workspace.root, service.workspace.var_dir, meta, ara=slug) as cs:
        for path in list(iter_files(root)):
            cs.delete(path)
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        directory.rmdir()  # only empty directories are left: git does not track them
    root.rmdir()


def evidence_file(stem: str, sha256: str, fmt: str) -> str:
    suffix = {"claude": ".jsonl", "codex": ".jsonl", "notebook": ".ipynb.txt"}.get(fmt, ".txt")
    name = slugify(stem)[:60].rstrip("-") or "transcript"
    return f"evidence/raw/{name}-{sha256[:12]}{suffix}"


def evidence_conflict(service: AraService, slug: str, rel: str, data: bytes) -> None:
    target = service.workspace.ara_path(slug) / rel
    if target.is_file():
        same = sha256_bytes(target.read_bytes()) == sha256_bytes(data)
        raise Conflict(
            f"ara/{slug}/{rel} already exists"
            + (
                ": this transcript was already distilled into that ARA"
                if same
                else " with other content"
            ),
            fix="distil into a new ARA (leave out --ara)",
        )
