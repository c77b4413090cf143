"""Which transcripts the distiller has processed (by sha256), for the watch queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from researchos.store.distill_tables import DistilledTranscriptRow


@dataclass(frozen=True)
class ProcessedTranscript:
    sha256: str
    name: str
    source: str
    size: int
    format: str | None
    status: str  # done or failed
    ara: str | None
    claims: int
    traces: int
    rejected: int
    error: str | None
    processed: datetime

    def to_dict(self) -> dict[str, object]:
        return {**self.__dict__, "processed": self.processed.isoformat()}


def _plain(row: DistilledTranscriptRow) -> ProcessedTranscript:
    return ProcessedTranscript(
        row.sha256,
        row.name,
        row.source,
        row.size,
        row.format,
        row.status,
        row.ara_slug,
        row.claims,
        row.traces,
        row.rejected,
        row.error,
        row.processed,
    )


def find_processed(session: Session, *, sha256: str) -> ProcessedTranscript | None:
    row = session.get(DistilledTranscriptRow, sha256)
    return _plain(row) if row is not None else None


def record_processed(
    session: Session,
    *,
    sha256: str,
    name: str,
    source: str,
    size: int,
    status: str,
    format: str | None = None,
    ara: str | None = None,
    claims: int = 0,
    traces: int = 0,
    rejected: int = 0,
    error: str | None = None,
) -> ProcessedTranscript:
    row = DistilledTranscriptRow(
        sha256=sha256,
        name=name,
        source=source,
        size=size,
        format=format,
        status=status,
        ara_slug=ara,
        claims=claims,
        traces=traces,
        rejected=rejected,
        error=error,
        processed=datetime.now(UTC),
    )
    session.merge(row)
    session.flush()
    return _plain(row)


def list_processed(session: Session, *, limit: int = 100) -> list[ProcessedTranscript]:
    query = (
        select(DistilledTranscriptRow)
        .order_by(DistilledTranscriptRow.processed.desc())
        .limit(limit)
    )
    return [_plain(row) for row in session.scalars(query)]
