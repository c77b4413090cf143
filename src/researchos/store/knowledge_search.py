"""Searching the knowledge index: full text (FTS5 BM25 / tsvector) and vectors.

Ranking every page that matches an OR of common words is what makes full-text search slow
(FTS5's bm25 and PostgreSQL's ts_rank both read each match). From 10,000 pages on, words in
more than 5% of pages therefore only rank, they do not select: candidates are the pages
matching the rarer words (or all the words, when every word is common). On PostgreSQL the
shares come from ANALYZE statistics, on SQLite from one count per new word (cached until the
index changes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.orm import Session

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
COMMON_TTL_S = 300.0
_common: dict[str, tuple[float, frozenset[str]]] = {}
_common_lock = threading.Lock()


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
    """(page id, score) best first: FTS5 BM25 on SQLite, ts_rank on PostgreSQL.

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


def _quoted(lexemes: Sequence[str], joiner: str) -> str:
    return joiner.join("'" + lexeme.replace("'", "''") + "'" for lexeme in lexemes)


def _pg_full_text(
    session: Session, *, terms: Sequence[str], limit: int, kinds: Sequence[str] | None
) -> list[tuple[str, float]]:
    """Rank by every query lexeme; select candidates by the rarer ones (see module doc)."""
    lexemes = session.scalars(
        text("SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', :t))"),
        {"t": " ".join(terms)},
    ).all()
    if not lexemes:
        return []
    common = common_lexemes(session)
    rare = [lexeme for lexeme in lexemes if lexeme not in common]
    params: dict[str, Any] = {
        "limit": limit,
        "rank": _quoted(lexemes, " | "),
        "select": _quoted(rare, " | ") if rare else _quoted(lexemes, " & "),
    }
    where_kind = _kind_filter(kinds, params, "p")
    # lexemes are already stemmed: the 'simple' configuration keeps them as they are;
    # ts_rank, not ts_rank_cd: cover density costs four times as much per matching page
    sql = (
        "SELECT p.page_id, ts_rank(p.search, to_tsquery('simple', :rank)) AS score "
        "FROM knowledge_fts p "
        f"WHERE p.search @@ to_tsquery('simple', :select){where_kind} "
        "ORDER BY score DESC LIMIT :limit"
    )
    return [(row[0], float(row[1])) for row in session.execute(text(sql), params)]


def common_lexemes(session: Session) -> frozenset[str]:
    """Lexemes in more than COMMON_LEXEME_FREQ of pages, from PostgreSQL's ANALYZE statistics
    (cached for a few minutes per database; empty until the table was analysed, and on SQLite,
    where BM25 over FTS5 stays fast without it)."""
    if dialect_of(session) != "postgresql":
        return frozenset()
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    with _common_lock:
        cached = _common.get(key)
        if cached is not None and now - cached[0] < COMMON_TTL_S:
            return cached[1]
    row = session.execute(
        text(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
            "FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename "
            "WHERE s.tablename = 'knowledge_fts' AND s.attname = 'search'"
        )
    ).first()
    found: frozenset[str] = frozenset()
    if row is not None and row[0] is not None and row[2] >= PRUNE_MIN_PAGES:
        found = frozenset(
            lexeme
            for lexeme, freq in zip(row[0], row[1], strict=False)
            if freq > COMMON_LEXEME_FREQ
        )
    with _common_lock:
        _common[key] = (now, found)
    return found


def forget_statistics(session: Session) -> None:
    """After a rebuild: analyse the table and drop the cached common lexemes."""
    if dialect_of(session) != "postgresql":
        return
    session.execute(text("ANALYZE knowledge_fts"))
    with _common_lock:
        _common.pop(str(session.get_bind().engine.url), None)


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


def vector_search(
    session: Session,
    *,
    vector: np.ndarray,
    model: str,
    limit: int,
    kinds: Sequence[str] | None = None,
) -> list[tuple[str, float]]:
    """PostgreSQL + pgvector: (page id, cosine similarity) best first, through the HNSW index."""
    dim = int(vector.shape[0])
    ensure_vector_index(session, dim=dim)
    params: dict[str, Any] = {"limit": limit, "q": vector_literal(vector.astype("f4").tobytes())}
    params["model"] = model
    where_kind = _kind_filter(kinds, params, "p")
    # the HNSW scan returns at most ef_search rows (default 40): ask for the whole depth
    session.execute(text(f"SET LOCAL hnsw.ef_search = {min(max(int(limit), 40), 1000)}"))
    if kinds:
        session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
    distance = f"p.embedding_vec::vector({dim}) <=> CAST(:q AS vector({dim}))"
    sql = (
        f"SELECT p.page_id, 1 - ({distance}) AS score FROM knowledge_pages p "
        f"WHERE p.embedding_model = :model{where_kind} ORDER BY {distance} LIMIT :limit"
    )
    return [(row[0], float(row[1])) for row in session.execute(text(sql), params)]
