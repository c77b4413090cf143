"""Seal attempts and reviewer disagreements: what ``researchos metrics`` reads back.

One row per level a seal ran (``seal_attempts``), grouped by ``seal_id`` (one ``researchos
seal`` invocation), and one row per claim on which the two Seal L2 reviewers disagreed
(``seal_disagreements``, the hallucination-incident record). The files of the ARA hold the
latest results; these tables hold every attempt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from researchos.store.tables import Base, UTCDateTime


class SealAttemptRow(Base):
    __tablename__ = "seal_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seal_id: Mapped[str] = mapped_column(String(40), index=True)
    ara_slug: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    summary: Mapped[str] = mapped_column(Text, default="")
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    reviewed: Mapped[int] = mapped_column(Integer, default=0)
    disagreements: Mapped[int] = mapped_column(Integer, default=0)
    promoted: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SealDisagreementRow(Base):
    __tablename__ = "seal_disagreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seal_id: Mapped[str] = mapped_column(String(40), index=True)
    ara_slug: Mapped[str] = mapped_column(String(64), index=True)
    claim_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_verdict: Mapped[str] = mapped_column(String(24))
    first_confidence: Mapped[float] = mapped_column(Float)
    second_verdict: Mapped[str] = mapped_column(String(24))
    second_confidence: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")


_ATTEMPT_FIELDS = (
    "seal_id",
    "ara_slug",
    "level",
    "passed",
    "at",
    "duration_s",
    "summary",
    "errors",
    "warnings",
    "reviewed",
    "disagreements",
    "promoted",
    "details",
)
_DISAGREEMENT_FIELDS = (
    "seal_id",
    "ara_slug",
    "claim_id",
    "at",
    "first_verdict",
    "first_confidence",
    "second_verdict",
    "second_confidence",
    "reason",
)


def record_attempt(session: Session, *, attempt: Mapping[str, Any]) -> None:
    """Store one level's outcome; ``attempt`` holds the columns (unknown keys are refused)."""
    unknown = set(attempt) - set(_ATTEMPT_FIELDS)
    if unknown:
        raise ValueError(f"unknown seal attempt fields: {sorted(unknown)}")
    session.add(SealAttemptRow(**attempt))


def record_disagreements(session: Session, *, rows: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    for row in rows:
        session.add(SealDisagreementRow(**{k: row[k] for k in _DISAGREEMENT_FIELDS if k in row}))
        count += 1
    return count


def attempts(
    session: Session, *, ara: str | None = None, level: int | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Newest first, as plain dicts."""
    query = select(SealAttemptRow).order_by(SealAttemptRow.id.desc()).limit(limit)
    if ara is not None:
        query = query.where(SealAttemptRow.ara_slug == ara)
    if level is not None:
        query = query.where(SealAttemptRow.level == level)
    return [
        {"id": r.id, **{k: getattr(r, k) for k in _ATTEMPT_FIELDS}} for r in session.scalars(query)
    ]


def disagreements(session: Session, *, ara: str | None = None) -> list[dict[str, Any]]:
    query = select(SealDisagreementRow).order_by(SealDisagreementRow.id)
    if ara is not None:
        query = query.where(SealDisagreementRow.ara_slug == ara)
    return [{k: getattr(r, k) for k in _DISAGREEMENT_FIELDS} for r in session.scalars(query)]


def attempt_totals(session: Session) -> dict[str, Any]:
    """Per level: attempts and passes; plus seal runs, rejected runs, reviews, disagreements."""
    by_level = {
        int(level): {"attempts": int(n), "passed": int(passed or 0)}
        for level, n, passed in session.execute(
            select(
                SealAttemptRow.level,
                func.count(),
                func.sum(func.cast(SealAttemptRow.passed, Integer)),
            ).group_by(SealAttemptRow.level)
        )
    }
    runs = session.execute(
        select(
            SealAttemptRow.seal_id, func.min(func.cast(SealAttemptRow.passed, Integer))
        ).group_by(SealAttemptRow.seal_id)
    ).all()
    reviewed, disagreed = session.execute(
        select(
            func.coalesce(func.sum(SealAttemptRow.reviewed), 0),
            func.coalesce(func.sum(SealAttemptRow.disagreements), 0),
        ).where(SealAttemptRow.level == 2)
    ).one()
    return {
        "by_level": by_level,
        "seal_runs": len(runs),
        "rejected_runs": sum(1 for _, all_passed in runs if not all_passed),
        "reviewed_claims": int(reviewed),
        "disagreements": int(disagreed),
    }
