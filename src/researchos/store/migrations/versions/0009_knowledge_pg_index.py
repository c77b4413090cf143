"""PostgreSQL full text as an inverted index with BM25 (a no-op on SQLite).

Ranking with ``ts_rank`` reads the tsvector of every candidate page: one heap block per page,
thousands per query at 100,000 pages. Instead, ``knowledge_terms`` holds one row per (lexeme,
page) with the page's weighted term frequency and length, so a query reads the posting lists
of its lexemes from one B-tree (index-only) and scores BM25 like SQLite's FTS5 (title 3,
keywords 2, body 1). ``knowledge_lexemes`` counts the pages per lexeme (for idf and the
common-word rule) and ``knowledge_state`` keeps the page count and total length (for the
average page length). ``knowledge_fts.search`` stays as the forward index (which postings a
page owns); its GIN index is no longer read and goes, and so do the HNSW indexes built by
0004's store code (vector search is exact in memory up to a size; see retrieval.py).

Existing indexes are converted here; ``researchos reindex`` gives the same result.

Revision ID: 0009_knowledge_pg_index
Revises: 0008_agent_runs
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_knowledge_pg_index"
down_revision = "0008_agent_runs"
branch_labels = None
depends_on = None

# weighted term frequency as in FTS5's bm25(…, 3.0, 2.0, 1.0): title A, keywords B, body C
_BACKFILL = [
    "INSERT INTO knowledge_terms (lexeme, seq, tf, dl) "
    "SELECT t.lexeme, t.seq, t.tf, sum(t.n) OVER (PARTITION BY t.seq) FROM ("
    "SELECT f.seq, u.lexeme, greatest(cardinality(u.positions), 1) AS n, "
    "greatest(cardinality(u.weights) + 2 * cardinality(array_positions(u.weights, 'A')) "
    "+ cardinality(array_positions(u.weights, 'B')), 1)::real AS tf "
    "FROM knowledge_fts f, unnest(f.search) AS u) AS t",
    "INSERT INTO knowledge_lexemes (lexeme, df) SELECT lexeme, count(*) FROM knowledge_terms "
    "GROUP BY lexeme",
    "INSERT INTO knowledge_state (key, value) VALUES "
    "('text_pages', (SELECT count(*) FROM knowledge_fts)), "
    "('text_tokens', (SELECT coalesce(sum(greatest(cardinality(u.positions), 1)), 0) "
    "FROM knowledge_fts f, unnest(f.search) AS u))",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column("knowledge_state", "value", type_=sa.BigInteger)
    # the primary key carries tf and dl: queries never touch the heap (index-only scans), and
    # autovacuum keeps the visibility map current after small writes too
    op.execute(
        "CREATE TABLE knowledge_terms (lexeme text NOT NULL, seq integer NOT NULL, "
        "tf real NOT NULL, dl integer NOT NULL) "
        "WITH (autovacuum_vacuum_insert_scale_factor = 0.01)"
    )
    op.execute("CREATE TABLE knowledge_lexemes (lexeme text PRIMARY KEY, df integer NOT NULL)")
    for statement in _BACKFILL:
        op.execute(statement)
    op.execute("ALTER TABLE knowledge_terms ADD PRIMARY KEY (lexeme, seq) INCLUDE (tf, dl)")
    op.execute("DROP INDEX IF EXISTS ix_knowledge_fts_search")
    _drop_vector_indexes()


def _drop_vector_indexes() -> None:
    """Vector search is exact in memory up to RESEARCHOS_KNOWLEDGE_EXACT_VECTORS_MAX pages; the
    store builds a (halfvec) HNSW index when an index grows past it."""
    names = op.get_bind().execute(
        sa.text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'knowledge_pages' "
            "AND indexname LIKE 'ix_knowledge_vec_%'"
        )
    )
    for (name,) in names.all():
        op.execute(f'DROP INDEX IF EXISTS "{name}"')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_knowledge_fts_search ON knowledge_fts USING gin (search)"
    )
    op.execute("DELETE FROM knowledge_state WHERE key IN ('text_pages', 'text_tokens')")
    op.execute("DROP TABLE IF EXISTS knowledge_lexemes")
    op.execute("DROP TABLE IF EXISTS knowledge_terms")
    op.alter_column("knowledge_state", "value", type_=sa.Integer)
