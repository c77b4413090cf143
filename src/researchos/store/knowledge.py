"""Data access for the knowledge index: pages, full text (FTS5 / tsvector) and vectors.

Keyword-only functions over a session that take and return plain dataclasses; the knowledge
package never sees a SQLAlchemy model. Every write bumps the ``generation`` counter so an
in-memory vector matrix knows when it is stale, even across processes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, delete, insert, select, text, update
from sqlalchemy.orm import Session

from researchos.store import knowledge_postings as postings
from researchos.store.knowledge_tables import (
    KnowledgePackageRow,
    KnowledgePageRow,
    KnowledgeStateRow,
)

_CHUNK = 500
PAGES = cast(Table, KnowledgePageRow.__table__)


@dataclass(frozen=True)
class PageRecord:
    """One page as the index holds it (body included unless fetched without it)."""

    page_id: str
    kind: str
    title: str
    review: str
    path: str
    body: str
    summary: str
    keywords: str
    tags: list[str]
    depends_on: list[str]
    sources: list[dict[str, Any]]
    packages: dict[str, str]
    provenance: dict[str, Any]
    created: datetime
    updated: datetime
    discount_after: datetime | None
    content_sha256: str
    embedding: bytes | None = None
    embedding_model: str | None = None


@dataclass(frozen=True)
class PackageLink:
    """A page names a package and a range; rank and time copied from the page for ranking."""

    page_id: str
    package: str
    ecosystem: str | None
    spec: str
    rank: int = 0  # review: verified 3, reviewed 2, draft 1, evidence-only 0
    updated_ts: float = 0.0


@dataclass(frozen=True)
class VectorMatrix:
    """All vectors of one model: ``matrix[i]`` belongs to ``page_ids[i]`` of kind ``kinds[i]``."""

    generation: int
    model: str
    page_ids: list[str]
    kinds: np.ndarray
    matrix: np.ndarray


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bump(session: Session) -> None:
    session.execute(
        update(KnowledgeStateRow)
        .where(KnowledgeStateRow.key == "generation")
        .values(value=KnowledgeStateRow.value + 1)
    )


def generation(session: Session) -> int:
    value = session.scalar(
        select(KnowledgeStateRow.value).where(KnowledgeStateRow.key == "generation")
    )
    return int(value or 0)


def generation_and_size(session: Session) -> tuple[int, int]:
    """The generation and, on PostgreSQL, the number of indexed pages (0 on SQLite), in one
    query: retrieval asks both before every vector search."""
    rows = dict(
        session.execute(
            select(KnowledgeStateRow.key, KnowledgeStateRow.value).where(
                KnowledgeStateRow.key.in_(("generation", "text_pages"))
            )
        ).all()
    )
    return int(rows.get("generation") or 0), int(rows.get("text_pages") or 0)


# --- writes --------------------------------------------------------------------------------


def delete_pages(session: Session, *, page_ids: Sequence[str]) -> None:
    """Remove pages (and their full-text rows and package links) from the index."""
    key = _fts_key(session)
    for chunk in _chunks(list(page_ids)):
        seqs = session.scalars(
            select(KnowledgePageRow.seq).where(KnowledgePageRow.page_id.in_(chunk))
        ).all()
        for seq_chunk in _chunks(list(seqs)):
            if key == "seq":  # PostgreSQL: the postings go first, they are found through fts
                postings.remove_postings(session, seqs=seq_chunk)
            params = {f"s{i}": s for i, s in enumerate(seq_chunk)}
            marks = ", ".join(f":{k}" for k in params)
            session.execute(text(f"DELETE FROM knowledge_fts WHERE {key} IN ({marks})"), params)
        session.execute(delete(KnowledgePageRow).where(KnowledgePageRow.page_id.in_(chunk)))
        session.execute(delete(KnowledgePackageRow).where(KnowledgePackageRow.page_id.in_(chunk)))
    _bump(session)


def clear(session: Session) -> None:
    """Empty the knowledge index before a rebuild; indexes dropped here come back with
    ``end_bulk_load`` (postings) or when vector search needs them (HNSW)."""
    if dialect_of(session) == "sqlite":
        session.execute(text("DELETE FROM knowledge_fts"))
    else:
        session.execute(text("TRUNCATE knowledge_fts"))
        postings.clear_postings(session)
    if has_vector_column(session):
        _drop_vector_indexes(session)
    session.execute(delete(KnowledgePackageRow))
    session.execute(delete(KnowledgePageRow))
    _bump(session)


def end_bulk_load(session: Session) -> None:
    """After ``clear`` and the bulk loads of a rebuild: restore what ``clear`` set aside and
    make the counts."""
    if dialect_of(session) == "postgresql":
        postings.end_bulk_load(session)


def put_pages(
    session: Session,
    *,
    records: Sequence[PageRecord],
    links: Sequence[PackageLink],
    bulk: bool = False,
) -> None:
    """Insert or replace pages with their package links, full text and vectors.

    ``bulk``: a load between ``clear`` and ``end_bulk_load`` (page ids are new, and counts
    are made once at the end: updating the same counter rows in every batch of one long
    transaction grows chains of row versions that each later update walks).
    """
    if not bulk:
        delete_pages(session, page_ids=[r.page_id for r in records])
    rows = [asdict(record) for record in records]
    dialect = dialect_of(session)
    for chunk in _chunks(rows, 2000):
        returned = session.execute(
            insert(PAGES).returning(PAGES.c.seq, sort_by_parameter_order=True), list(chunk)
        ).all()
        seqs = [row[0] for row in returned]
        _insert_fts(session, seqs, chunk, postgres=dialect == "postgresql")
        if dialect == "postgresql":
            postings.add_postings(session, seqs=seqs, count=not bulk)
        if has_vector_column(session):
            _insert_pg_vectors(session, seqs, chunk)
    if links:
        session.execute(insert(KnowledgePackageRow), [asdict(link) for link in links])


def _fts_key(session: Session) -> str:
    return "rowid" if dialect_of(session) == "sqlite" else "seq"


_FTS_INSERT = {
    False: "INSERT INTO knowledge_fts (rowid, page_id, kind, title, keywords, body) "
    "VALUES (:seq, :page_id, :kind, :title, :keywords, :body)",
    True: "INSERT INTO knowledge_fts (seq, page_id, kind, search) VALUES (:seq, :page_id, :kind, "
    "setweight(to_tsvector('english', :title), 'A') || "
    "setweight(to_tsvector('english', :keywords), 'B') || "
    "setweight(to_tsvector('english', :body), 'C'))",
}


def _insert_fts(
    session: Session, seqs: Sequence[int], rows: Sequence[dict[str, Any]], *, postgres: bool
) -> None:
    session.execute(
        text(_FTS_INSERT[postgres]),
        [
            {
                "seq": seq,
                "page_id": r["page_id"],
                "kind": r["kind"],
                "title": r["title"],
                "keywords": r["keywords"],
                "body": r["body"],
            }
            for seq, r in zip(seqs, rows, strict=True)
        ],
    )


@functools.cache
def _vector_format(dim: int) -> str:
    return "[" + ",".join(["%.6g"] * dim) + "]"


def vector_literal(blob: bytes) -> str:
    """pgvector's text form of a float32 blob (one %-format per vector: 2.4x faster than
    formatting each number, which dominated writing vectors)."""
    values = np.frombuffer(blob, dtype=np.float32).tolist()
    return _vector_format(len(values)) % tuple(values)


def _insert_pg_vectors(
    session: Session, seqs: Sequence[int], rows: Sequence[dict[str, Any]]
) -> None:
    params = [
        {"seq": seq, "vec": vector_literal(r["embedding"])}
        for seq, r in zip(seqs, rows, strict=True)
        if r["embedding"] is not None
    ]
    if not params:
        return
    session.execute(
        text("UPDATE knowledge_pages SET embedding_vec = CAST(:vec AS vector) WHERE seq = :seq"),
        params,
    )


_PG_INDEXED: set[tuple[str, int]] = set()


def _drop_vector_indexes(session: Session) -> None:
    names = session.scalars(
        text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'knowledge_pages' "
            "AND indexname LIKE 'ix_knowledge_vec_%'"
        )
    ).all()
    for name in names:
        session.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
    url = str(session.get_bind().engine.url)
    _PG_INDEXED.difference_update({key for key in _PG_INDEXED if key[0] == url})


# HNSW on halfvec (half the memory of vector, same ranking to about 1e-3) with a denser graph
# than pgvector's default (m 16, ef_construction 64): on the benchmark's 100,000 pages, whose
# vectors crowd together (mean pairwise cosine 0.73), recall@10 against exact search at
# ef_search 400 was 0.78 with the default graph and 0.94 with this one (docs/knowledge.md)
HNSW_OPTIONS = "m = 32, ef_construction = 128"


def ensure_vector_index(session: Session, *, dim: int) -> None:
    """An HNSW index over ``embedding_vec::halfvec(dim)`` (cosine), built once per dimension.

    Built only when vector search goes through it (an index past the exact-search size; see
    retrieval.py), after a bulk load when it can; later writes keep it up to date.
    """
    key = (str(session.get_bind().engine.url), dim)
    if key in _PG_INDEXED or not has_vector_column(session):
        return
    session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    session.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS ix_knowledge_vec_{int(dim)} ON knowledge_pages "
            f"USING hnsw ((embedding_vec::halfvec({int(dim)})) halfvec_cosine_ops) "
            f"WITH ({HNSW_OPTIONS})"
        )
    )
    _PG_INDEXED.add(key)


def vector_dimension(session: Session) -> int | None:
    """Dimension of the stored vectors (None when the index holds none)."""
    blob = session.scalar(select(PAGES.c.embedding).where(PAGES.c.embedding.is_not(None)).limit(1))
    return len(blob) // 4 if blob else None


# --- reads ---------------------------------------------------------------------------------


_HAS_VECTORS: dict[str, bool] = {}


def has_vector_column(session: Session) -> bool:
    """PostgreSQL with pgvector installed when the migration ran (asked once per database)."""
    if dialect_of(session) != "postgresql":
        return False
    key = str(session.get_bind().engine.url)
    if key not in _HAS_VECTORS:
        found = session.execute(
            text(
                "SELECT 1 FROM information_schema.columns "
                "WHERE table_name = 'knowledge_pages' AND column_name = 'embedding_vec'"
            )
        ).scalar()
        _HAS_VECTORS[key] = bool(found)
    return _HAS_VECTORS[key]


_RECORD_COLUMNS = [c for c in PAGES.c if c.name not in ("seq",)]


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


# what a brief or a search hit shows; the rest keeps its empty default when fetched light
_LIGHT_SKIPS: dict[str, Any] = {
    "body": "",
    "embedding": None,
    "packages": {},
    "provenance": {},
    "keywords": "",
}


def _record(row: Any) -> PageRecord:
    data = {**_LIGHT_SKIPS, **row._mapping}
    for key in ("created", "updated", "discount_after"):
        data[key] = _aware(data[key])
    return PageRecord(**data)


def fetch(session: Session, *, page_ids: Sequence[str], with_body: bool = True) -> list[PageRecord]:
    """Pages by id, in the order asked; unknown ids are left out. ``with_body=False`` reads
    only what briefs and hit lists show (no body, vector, packages, provenance)."""
    columns = [c for c in _RECORD_COLUMNS if with_body or c.name not in _LIGHT_SKIPS]
    found: dict[str, PageRecord] = {}
    for chunk in _chunks(list(dict.fromkeys(page_ids))):
        for row in session.execute(select(*columns).where(PAGES.c.page_id.in_(chunk))):
            record = _record(row)
            found[record.page_id] = record
    return [found[p] for p in page_ids if p in found]


# (recursive part, final filter) per dialect. PostgreSQL cannot estimate the recursion's size
# and would scan and hash the whole (wide) pages table to join it, so both steps are index
# lookups: a lateral subquery fenced with OFFSET 0, and an array for the final filter.
_REACH = {
    "postgresql": (
        "SELECT unnest(CAST(:ids AS text[])) UNION SELECT d.value FROM reach r, LATERAL ("
        "SELECT p.depends_on FROM knowledge_pages p WHERE p.page_id = r.page_id OFFSET 0) AS p, "
        "json_array_elements_text(p.depends_on) d",
        "p.page_id = ANY(ARRAY(SELECT page_id FROM reach))",
    ),
    "sqlite": (
        "SELECT value FROM json_each(:ids) UNION SELECT d.value FROM reach r "
        "JOIN knowledge_pages p ON p.page_id = r.page_id, json_each(p.depends_on) d",
        "p.page_id IN (SELECT page_id FROM reach)",
    ),
}


def fetch_reachable(session: Session, *, page_ids: Sequence[str]) -> dict[str, PageRecord]:
    """Light records (as ``fetch(with_body=False)``) of ``page_ids`` and of every page they
    reach through ``dependsOn``, in one recursive query: a brief needs the closure of its
    pages, and one round trip per level of it added up."""
    if not page_ids:
        return {}
    dialect = dialect_of(session)
    ids: Any = list(page_ids) if dialect == "postgresql" else json.dumps(list(page_ids))
    columns = [c for c in _RECORD_COLUMNS if c.name not in _LIGHT_SKIPS]
    names = ", ".join(f"p.{c.name}" for c in columns)
    recursion, where = _REACH[dialect]
    sql = text(
        f"WITH RECURSIVE reach(page_id) AS ({recursion}) "
        f"SELECT {names} FROM knowledge_pages p WHERE {where}"
    ).columns(*columns)
    records = (_record(row) for row in session.execute(sql, {"ids": ids}))
    return {record.page_id: record for record in records}


def all_edges(session: Session) -> dict[str, list[str]]:
    return {
        page_id: list(deps or [])
        for page_id, deps in session.execute(select(PAGES.c.page_id, PAGES.c.depends_on))
    }


_LINKS = KnowledgePackageRow.__table__.c
_LINK_COLUMNS = "page_id, package, ecosystem, spec, rank, updated_ts"


def package_links(session: Session, *, packages: Sequence[str]) -> list[PackageLink]:
    """Every link to one of ``packages`` (plain columns only: this runs on every brief)."""
    out: list[PackageLink] = []
    for chunk in _chunks(list(packages)):
        params = {f"p{i}": name for i, name in enumerate(chunk)}
        marks = ", ".join(f":{key}" for key in params)
        sql = f"SELECT {_LINK_COLUMNS} FROM knowledge_packages WHERE package IN ({marks})"
        out += [PackageLink(*row) for row in session.execute(text(sql), params).all()]
    return out


def links_of(session: Session, *, page_ids: Sequence[str]) -> list[PackageLink]:
    """The package links of some pages."""
    out: list[PackageLink] = []
    for chunk in _chunks(list(page_ids)):
        query = select(
            _LINKS.page_id,
            _LINKS.package,
            _LINKS.ecosystem,
            _LINKS.spec,
            _LINKS.rank,
            _LINKS.updated_ts,
        ).where(_LINKS.page_id.in_(chunk))
        out += [PackageLink(*row) for row in session.execute(query)]
    return out
