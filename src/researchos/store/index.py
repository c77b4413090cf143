"""The rebuildable content index: ARAs, claims and traces mirrored from the files.

``reindex`` drops the index rows and reads every ARA back from disk; the files win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from researchos.artifacts.models import TRACE_TYPES, AraManifest, Claim, Trace
from researchos.artifacts.reader import AraPaths, load_claim, load_manifest, load_trace, trace_ids
from researchos.errors import InputError
from researchos.store.tables import AraRow, ClaimRow, TraceRow


def index_ara(session: Session, manifest: AraManifest, *, trace_count: int) -> None:
    session.merge(
        AraRow(
            slug=manifest.slug,
            id=manifest.id,
            title=manifest.title,
            status=manifest.status,
            mode=manifest.mode,
            source=manifest.provenance.source,
            claim_count=len(manifest.claims),
            trace_count=trace_count,
            created=manifest.created,
            updated=manifest.updated,
        )
    )


def index_claim(session: Session, slug: str, claim: Claim) -> None:
    session.merge(
        ClaimRow(
            ara_slug=slug,
            claim_id=claim.id,
            statement=claim.statement,
            kind=claim.kind,
            status=claim.status,
            provenance=claim.provenance,
            confidence=claim.confidence,
            tags=list(claim.tags),
            conditions=dict(claim.conditions),
            evidence_count=len(claim.evidence),
            updated=claim.updated,
        )
    )


def index_trace(session: Session, slug: str, trace: Trace) -> None:
    created = trace.attribution.date
    discount = getattr(trace, "discount_after", None)
    session.merge(
        TraceRow(
            ara_slug=slug,
            trace_id=trace.id,
            kind=trace.kind,
            title=trace.title,
            failure_class=getattr(trace, "failure_class", None),
            tags=list(trace.tags),
            created=created,
            discount_after=datetime.combine(discount, time(), tzinfo=UTC) if discount else None,
        )
    )


@dataclass(frozen=True)
class ReindexResult:
    aras: int
    claims: int
    traces: int
    skipped: list[str]

    def to_dict(self) -> dict[str, object]:
        return {
            "aras": self.aras,
            "claims": self.claims,
            "traces": self.traces,
            "skipped": self.skipped,
        }


def reindex(session: Session, ara_dir: Path) -> ReindexResult:
    """Drop and rebuild the content index from the ARA files on disk."""
    for table in (ClaimRow, TraceRow, AraRow):
        session.execute(delete(table))
    aras = claims = traces = 0
    skipped: list[str] = []
    roots = sorted(p for p in ara_dir.iterdir() if p.is_dir()) if ara_dir.is_dir() else []
    for root in roots:
        paths = AraPaths(root)
        try:
            manifest = load_manifest(paths)
            loaded_claims = [load_claim(paths, c) for c in manifest.claims]
            loaded_traces = [
                load_trace(paths, k, t) for k in TRACE_TYPES for t in trace_ids(paths, k)
            ]
        except InputError as exc:
            skipped.append(f"{root.name}: {exc}")
            continue
        index_ara(session, manifest, trace_count=len(loaded_traces))
        for claim in loaded_claims:
            index_claim(session, manifest.slug, claim)
        for trace in loaded_traces:
            index_trace(session, manifest.slug, trace)
        aras, claims, traces = aras + 1, claims + len(loaded_claims), traces + len(loaded_traces)
    return ReindexResult(aras, claims, traces, skipped)


def counts(session: Session) -> dict[str, int]:
    return {
        name: session.scalar(select(func.count()).select_from(table)) or 0
        for name, table in (("aras", AraRow), ("claims", ClaimRow), ("traces", TraceRow))
    }
