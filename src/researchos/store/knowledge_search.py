"""Searching the knowledge index: full text (BM25 over FTS5 / an inverted index) and vectors.

Ranking every page that matches an OR of common words is what makes full-text search slow
(both engines score each match). From 10,000 pages on, words in more than 5% of pages therefore
only rank, they do not select: candidates are the pages matching the rarer words (or all the
words, when every word is common). On PostgreSQL the shares come from the inverted index's exact
page counts (store/knowledge_postings.py), on SQLite from one count per new word (cached until
the index changes). Both score BM25 with the same field weights.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from researchos.store import knowledge_postings as postings
from researchos.store.database import Database
from researchos.store.knowledge import (
    PAGES,
    VectorMatrix,
    dialect_of,
    ensure_vector_index,
    generation,
    vector_literal,
)

COMMON_LEXEME_FREQ = 0.05
# below this many pages ranking every match is cheap, and small samples make every word "common"
PRUNE_MIN_PAGES = 10_000
_common_lock = threading.Lock()
log = logging.getLogger(__name__)


# --- search --------------------------------------------------------------------------------


def _kind_filter(kinds: Sequence[str] | None, params: dict[str, Any], table: str) -> str:
    if not kinds:
        return ""
    names = []
    for i, kind in enumerate(kinds):
        params[f"k{i}"] = kind
        names.append(f":k{i}")
    return f" AND {table}.kind IN ({', '.join(names)})"


def full_text(
    session: Session, *, terms: Sequence[str], limit: int, kinds: Sequence[str] | None = None
) -> list[tuple[str, float]]:
    """(page id, BM25 score) best first: FTS5 on SQLite, the inverted index on PostgreSQL.

    ``terms`` must already be plain words (letters and digits); they are OR-ed.
    """
    if not terms:
        return []
    params: dict[str, Any] = {"limit": limit}
    if dialect_of(session) == "sqlite":
        params["q"] = _fts5_query(session, terms)
        where_kind = _kind_filter(kinds, params, "knowledge_fts")
        # no join: a join before ORDER BY ... LIMIT would touch every matching row
        sql = (
            "SELECT page_id, -bm25(knowledge_fts, 0, 0, 3.0, 2.0, 1.0) AS score "
            f"FROM knowledge_fts WHERE knowledge_fts MATCH :q{where_kind} "
            "ORDER BY score DESC LIMIT :limit"
        )
    else:
        return _pg_full_text(session, terms=terms, limit=limit, kinds=kinds)
    return [(row[0], float(row[1])) for row in session.execute(text(sql), params)]


def _fts5_query(session: Session, terms: Sequence[str]) -> str:
    """OR of the terms; in a large index the common ones only rank (see the module doc)."""
    every = " OR ".join(f'"{t}"' for t in terms)
    frequency = _sqlite_frequencies(session, terms)
    if frequency is None:
        return every
    rare = [t for t in terms if frequency[t] <= COMMON_LEXEME_FREQ]
    if not rare:
        return " AND ".join(f'"{t}"' for t in terms)
    if len(rare) == len(terms):
        return every
    # bm25() scores every phrase of the expression, so the common terms still rank
    return "(" + " OR ".join(f'"{t}"' for t in rare) + f") AND ({every})"


_sqlite_df: dict[str, tuple[int, int, dict[str, float]]] = {}


def _sqlite_frequencies(session: Session, terms: Sequence[str]) -> dict[str, float] | None:
    """Share of pages holding each term (cached until the index changes); None when small."""
    key = str(session.get_bind().engine.url)
    gen = generation(session)
    with _common_lock:
        cached = _sqlite_df.get(key)
    if cached is None or cached[0] != gen:
        total = int(session.scalar(text("SELECT count(*) FROM knowledge_fts")) or 0)
        cached = (gen, total, {})
    _, total, shares = cached
    if total < PRUNE_MIN_PAGES:
        return None
    for term in terms:
        if term not in shares:
            count = session.scalar(
                text("SELECT count(*) FROM knowledge_fts WHERE knowledge_fts MATCH :q"),
                {"q": f'"{term}"'},
            )
            shares[term] = int(count or 0) / total
    with _common_lock:
        _sqlite_df[key] = cached
    return shares


def _pg_full_text(
    session: Session, *, terms: Sequence[str], limit: int, kinds: Sequence[str] | None
) -> list[tuple[str, float]]:
    """BM25 over the inverted index (store/knowledge_postings.py), one statement."""
    return postings.bm25(
        session,
        words=" ".join(terms),
        limit=limit,
        kinds=kinds,
        common=COMMON_LEXEME_FREQ,
        min_pages=PRUNE_MIN_PAGES,
    )


def common_lexemes(session: Session) -> frozenset[str]:
    """PostgreSQL: lexemes in more than COMMON_LEXEME_FREQ of the pages, from the exact page
    counts of the inverted index (none below PRUNE_MIN_PAGES pages). SQLite: none here (FTS5
    counts its words per query, see ``_fts5_query``)."""
    if dialect_of(session) != "postgresql":
        return frozenset()
    return postings.common_lexemes(session, common=COMMON_LEXEME_FREQ, min_pages=PRUNE_MIN_PAGES)


def settle_after_bulk_load(database: Database) -> None:
    """After a rebuild has committed (PostgreSQL): VACUUM so that the new postings are
    all-visible (index-only scans skip the heap only then) and ANALYZE for the planner; the
    other rewritten tables too, so autovacuum does not read them again while searches run."""
    if database.engine.dialect.name != "postgresql":
        return
    try:
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(
                "VACUUM (ANALYZE) knowledge_terms, knowledge_lexemes, knowledge_fts, "
                "knowledge_pages, knowledge_packages"
            )
    except SQLAlchemyError as exc:  # the index is usable, only slower until autovacuum runs
        log.warning("VACUUM after the knowledge rebuild failed: %s", exc)


def vector_matrix(session: Session, *, model: str) -> VectorMatrix:
    """Every vector of ``model`` stacked into one float32 matrix (rows L2-normalised)."""
    gen = generation(session)
    query = select(PAGES.c.page_id, PAGES.c.kind, PAGES.c.embedding).where(
        PAGES.c.embedding_model == model, PAGES.c.embedding.is_not(None)
    )
    ids: list[str] = []
    kinds: list[str] = []
    blobs: list[bytes] = []
    for page_id, kind, blob in session.execute(query):
        ids.append(page_id)
        kinds.append(kind)
        blobs.append(blob)
    if not blobs:
        return VectorMatrix(gen, model, [], np.array([], dtype=object), np.zeros((0, 0), "f4"))
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
    return VectorMatrix(gen, model, ids, np.array(kinds), matrix)


# candidates the HNSW scan keeps per query (pgvector's default is 40, and it returns no more
# than that): 400 gave recall@10 0.94 against exact search on the benchmark (knowledge.md)
EF_SEARCH = 400


def vector_search(
    session: Session,
    *,
    vector: np.ndarray,
    model: str,
    limit: int,
    kinds: Sequence[str] | None = None,
) -> list[tuple[str, float]]:
    """PostgreSQL + pgvector: (page id, cosine similarity) best first, through the HNSW index
    (approximate; retrieval.py uses it only past the exact-search size)."""
    dim = int(vector.shape[0])
    ensure_vector_index(session, dim=dim)
    params: dict[str, Any] = {"limit": limit, "q": vector_literal(vector.astype("f4").tobytes())}
    params["model"] = model
    where_kind = _kind_filter(kinds, params, "p")
    session.execute(text(f"SET LOCAL hnsw.ef_search = {min(max(int(limit), EF_SEARCH), 1000)}"))
    # a filter drops rows after the scan: keep scanning until the depth is full (relaxed order,
    # hence the final sort)
    session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
    distance = f"p.embedding_vec::halfvec({dim}) <=> CAST(:q AS halfvec({dim}))"
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT p.page_id, 1 - ({distance}) AS score "
        f"FROM knowledge_pages p WHERE p.embedding_model = :model{where_kind} "
        f"ORDER BY {distance} LIMIT :limit) SELECT page_id, score FROM hits ORDER BY score DESC"
    )
    return [(row[0], float(row[1])) for row in session.execute(text(sql), params)]
