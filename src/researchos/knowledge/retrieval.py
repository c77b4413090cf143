"""Hybrid retrieval: full text (BM25: FTS5 / an inverted index on PostgreSQL) and vectors, fused
by reciprocal rank.

Vectors are float32 blobs in the store, stacked once into a numpy matrix that is cached in
memory and reloaded when the index ``generation`` moves (any process writing to the index bumps
it): an exact scan, ≈ 100 MB read per query at 100,000 pages of 256 dimensions. On PostgreSQL
with pgvector, an index larger than ``exact_vectors_max`` pages is searched through an HNSW index
in the database instead (approximate: see docs/knowledge.md for its measured recall). Without an
embedder the search is BM25-only and the result says so.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from sqlalchemy.orm import Session
from threadpoolctl import ThreadpoolController

from researchos.errors import InputError
from researchos.knowledge.embedding import Embedder, EmbedderChoice
from researchos.store import knowledge as store
from researchos.store import knowledge_search
from researchos.store.database import Database

RRF_K = 60
MAX_TERMS = 32
MAX_QUERY_CHARS = 2000
Mode = Literal["hybrid", "bm25", "vector"]
_STOPWORD_TEXT = (
    "a an and are as at be but by do does for from how i if in into is it its me my of on or "
    "our should so that the their then there these this to was what when where which while "
    "who why will with you your can could would we not no"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """Plain lowercase words of ``query`` (no operators can reach FTS5 or to_tsquery)."""
    words = [w.lower() for w in _WORD.findall(query[:MAX_QUERY_CHARS])]
    kept = [w for w in words if w not in STOPWORDS] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


@dataclass(frozen=True)
class SearchHit:
    page_id: str
    score: float
    text_rank: int | None = None
    vector_rank: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "page_id": self.page_id,
            "score": round(self.score, 6),
            "text_rank": self.text_rank,
            "vector_rank": self.vector_rank,
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: Mode
    hits: list[SearchHit]
    notice: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "mode": self.mode,
            "notice": self.notice,
            "hits": [hit.to_dict() for hit in self.hits],
        }


_controller: ThreadpoolController | None = None


def _one_blas_thread() -> Any:
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def fuse(rankings: Sequence[Sequence[str]], *, k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(d) = sum over rankings of 1 / (k + rank)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, page_id in enumerate(ranking, start=1):
            scores[page_id] = scores.get(page_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class Retriever:
    """Searches the knowledge index of one database with one (optional) embedder."""

    database: Database
    choice: EmbedderChoice
    exact_vectors_max: int = 250_000
    _matrix: store.VectorMatrix | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _executor: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)

    @property
    def embedder(self) -> Embedder | None:
        return self.choice.embedder

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        kinds: Sequence[str] | None = None,
        mode: Mode = "hybrid",
        depth: int | None = None,
    ) -> SearchResult:
        """The best ``limit`` pages for ``query``; ``depth`` candidates come from each ranker."""
        if not query.strip():
            raise InputError("the search query is empty", field="query", fix="pass some words")
        if not 1 <= limit <= 1000:
            raise InputError("limit must be between 1 and 1000", field="limit")
        depth = depth or max(limit * 5, 50)
        notice = self.choice.notice
        effective: Mode = mode if self.embedder is not None else "bm25"
        if mode != "bm25" and effective == "bm25" and notice is None:
            notice = "no embedder: BM25 only"
        # the two rankers run side by side: sqlite3 and numpy both release the GIL
        pending = (
            self._pool().submit(self._vector, query, depth, kinds) if effective != "bm25" else None
        )
        text_ids = self._text(query, depth, kinds) if effective != "vector" else []
        vector_ids = pending.result() if pending is not None else []
        rankings = [text_ids, vector_ids]
        text_pos = {p: i + 1 for i, p in enumerate(text_ids)}
        vector_pos = {p: i + 1 for i, p in enumerate(vector_ids)}
        hits = [
            SearchHit(page_id, score, text_pos.get(page_id), vector_pos.get(page_id))
            for page_id, score in fuse(rankings)[:limit]
        ]
        return SearchResult(query=query, mode=effective, hits=hits, notice=notice)

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="vectors")
            return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _text(self, query: str, depth: int, kinds: Sequence[str] | None) -> list[str]:
        with self.database.session() as session:
            rows = knowledge_search.full_text(
                session, terms=query_terms(query), limit=depth, kinds=kinds
            )
        return [page_id for page_id, _ in rows]

    def _vector(self, query: str, depth: int, kinds: Sequence[str] | None) -> list[str]:
        with self.database.session() as session:
            return self._vector_in(session, query, depth, kinds)

    def _vector_in(
        self, session: Session, query: str, depth: int, kinds: Sequence[str] | None
    ) -> list[str]:
        embedder = self.embedder
        assert embedder is not None
        vector = embedder.embed([query])[0]
        generation, pages = store.generation_and_size(session)
        if pages > self.exact_vectors_max and store.has_vector_column(session):
            rows = knowledge_search.vector_search(
                session, vector=vector, model=embedder.name, limit=depth, kinds=kinds
            )
            return [page_id for page_id, score in rows if score >= embedder.min_similarity]
        matrix = self._current_matrix(session, embedder.name, generation)
        if not matrix.page_ids:
            return []
        with _one_blas_thread():  # memory-bound: more threads only fight the other ranker
            scores = matrix.matrix @ vector
        scores = np.where(scores >= embedder.min_similarity, scores, -np.inf)
        if kinds:
            scores = np.where(np.isin(matrix.kinds, list(kinds)), scores, -np.inf)
        top = min(depth, len(scores))
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [matrix.page_ids[i] for i in best if np.isfinite(scores[i])]

    def _current_matrix(self, session: Session, model: str, generation: int) -> store.VectorMatrix:
        with self._lock:
            cached = self._matrix
            if cached is None or cached.generation != generation or cached.model != model:
                cached = knowledge_search.vector_matrix(session, model=model)
                self._matrix = cached
        return cached

    def after_bulk_load(self, session: Session) -> None:
        """Build the HNSW index when searches will use it (cheaper once, after the load)."""
        dim = store.vector_dimension(session)
        if dim and store.generation_and_size(session)[1] > self.exact_vectors_max:
            store.ensure_vector_index(session, dim=dim)

    def embed(self, texts: Sequence[str]) -> tuple[list[bytes | None], str | None]:
        """Vectors for pages being indexed (as float32 blobs) and the model name."""
        if self.embedder is None:
            return [None] * len(texts), None
        matrix = self.embedder.embed(list(texts))
        return [row.astype(np.float32).tobytes() for row in matrix], self.embedder.name
