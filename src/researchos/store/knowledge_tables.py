"""Tables of the rebuildable knowledge index (revision 0004_knowledge).

Besides these, the migration creates per dialect: on SQLite the FTS5 table ``knowledge_fts``
(rowid = ``knowledge_pages.seq``); on PostgreSQL a narrow ``knowledge_fts`` table with a weighted
``search`` tsvector and, when pgvector is available, an ``embedding_vec vector`` column; from
revision 0009 on PostgreSQL also the inverted index ``knowledge_terms`` / ``knowledge_lexemes``
(store/knowledge_postings.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from researchos.store.tables import Base, UTCDateTime


class KnowledgePageRow(Base):
    __tablename__ = "knowledge_pages"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    page_id: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(Text)
    review: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    depends_on: Mapped[list[Any]] = mapped_column(default=list)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    packages: Mapped[dict[str, Any]] = mapped_column(default=dict)
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    updated: Mapped[datetime] = mapped_column(UTCDateTime)
    discount_after: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    embedding_model: Mapped[str | None] = mapped_column(String(64), nullable=True)


class KnowledgePackageRow(Base):
    """One (page, package) pair, so a brief finds the pages about a project's packages fast.

    ``rank`` (review) and ``updated_ts`` repeat the page's values: briefs rank links without
    touching the pages table.
    """

    __tablename__ = "knowledge_packages"

    page_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    package: Mapped[str] = mapped_column(String(214), primary_key=True)
    ecosystem: Mapped[str | None] = mapped_column(String(16), nullable=True)
    spec: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int] = mapped_column(Integer, default=0)
    updated_ts: Mapped[float] = mapped_column(Float, default=0.0)


class KnowledgeStateRow(Base):
    """Counters such as ``generation`` (bumped on every index write: cache invalidation)."""

    __tablename__ = "knowledge_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)  # bigint from 0009 on PostgreSQL
