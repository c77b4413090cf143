"""Table of the session distiller: transcripts already distilled, keyed by content sha256,
so a restarted ``researchos distill --watch`` does not redo work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from researchos.store.tables import Base, UTCDateTime


class DistilledTranscriptRow(Base):
    __tablename__ = "distilled_transcripts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    ara_slug: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    traces: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    processed: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
