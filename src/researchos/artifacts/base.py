"""The common part of ``AraService``: who acts, reading an ARA, and what follows a change.

``Origin`` and ``TraceItem`` describe a change; ``AraBase`` holds the reads, the commit
metadata and the index/audit refresh that every write shares (see service.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from researchos.artifacts.models import (
    TRACE_TYPES,
    AraManifest,
    Claim,
    ExplorationTree,
    Trace,
)
from researchos.artifacts.reader import (
    AraPaths,
    load_claim,
    load_exploration,
    load_manifest,
    load_trace,
    trace_ids,
)
from researchos.errors import NotFound
from researchos.history.changes import ChangeSet
from researchos.history.commits import ChangeMeta
from researchos.store import audit, index
from researchos.store.database import Database
from researchos.workspace.layout import Workspace

log = logging.getLogger(__name__)


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


def next_id(prefix: str, existing: Iterable[str]) -> str:
    numbers = [int(m.group(1)) for item in existing if (m := re.fullmatch(rf"{prefix}(\d+)", item))]
    return f"{prefix}{(max(numbers) + 1 if numbers else 1):04d}"


class AraBase:
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
