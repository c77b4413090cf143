"""Knowledge index: pages, their packages, full-text and vector search.

Both get a full-text table ``knowledge_fts`` keyed by ``knowledge_pages.seq`` and carrying
page_id and kind: on SQLite an FTS5 table (porter stemming, unicode61; the key is its rowid),
on PostgreSQL a narrow table with a weighted tsvector and a GIN index. Vectors stay float32 blobs
(searched with numpy on SQLite); on PostgreSQL with pgvector an ``embedding_vec`` column is
added (HNSW indexes are built per dimension by the store after bulk loads).

Revision ID: 0004_knowledge
Revises: 0001_foundation
Create Date: 2026-11-24
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_knowledge"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
log = logging.getLogger(__name__)


def _pages_table() -> None:
    op.create_table(
        "knowledge_pages",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("page_id", sa.String(128), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("review", sa.String(16), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("keywords", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("depends_on", sa.JSON, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("packages", sa.JSON, nullable=False),
        sa.Column("provenance", sa.JSON, nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("updated", TS, nullable=False),
        sa.Column("discount_after", TS, nullable=True),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("embedding", sa.LargeBinary, nullable=True),
        sa.Column("embedding_model", sa.String(64), nullable=True),
    )
    op.create_index("ix_knowledge_pages_kind", "knowledge_pages", ["kind"])
    op.create_table(
        "knowledge_packages",
        sa.Column("page_id", sa.String(128), primary_key=True),
        sa.Column("package", sa.String(214), primary_key=True),
        sa.Column("ecosystem", sa.String(16), nullable=True),
        sa.Column("spec", sa.String(200), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("updated_ts", sa.Float, nullable=False),
    )
    op.create_index("ix_knowledge_packages_package", "knowledge_packages", ["package"])
    op.create_table(
        "knowledge_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.execute("INSERT INTO knowledge_state (key, value) VALUES ('generation', 0)")


def _sqlite_fts() -> None:
    # page_id and kind ride along unindexed: ranking and the kind filter need no join
    op.execute(
        "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
        "page_id UNINDEXED, kind UNINDEXED, title, keywords, body, "
        "tokenize='porter unicode61')"
    )


def _postgres_search() -> None:
    # a narrow table: ranking reads every matching tsvector, so they should sit densely
    op.create_table(
        "knowledge_fts",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("page_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("search", postgresql.TSVECTOR, nullable=False),
    )
    op.execute("CREATE INDEX ix_knowledge_fts_search ON knowledge_fts USING gin (search)")
    bind = op.get_bind()
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).scalar()
    if not available:
        log.warning("pgvector is not installed: knowledge vectors fall back to numpy search")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("ALTER TABLE knowledge_pages ADD COLUMN embedding_vec vector")


def upgrade() -> None:
    _pages_table()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_fts()
    elif dialect == "postgresql":
        _postgres_search()


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS knowledge_fts")
    op.drop_table("knowledge_state")
    op.drop_table("knowledge_packages")
    op.drop_table("knowledge_pages")
