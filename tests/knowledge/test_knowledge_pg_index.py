"""The PostgreSQL search indexes (revision 0009): BM25 over the inverted index is exact, the
postings stay exact through incremental writes, queries read the B-tree, and vector search is
exact below the size threshold and close to exact through HNSW above it. On SQLite the revision
adds nothing. PostgreSQL tests are defined only with RESEARCHOS_TEST_POSTGRES=1."""

from __future__ import annotations

import itertools
import math
import os
import random
from collections import defaultdict

import numpy as np
import pytest
from knowledge_helpers import database_url, make_app
from sqlalchemy import text

from researchos.app import App
from researchos.knowledge.page import Page, parse_page
from researchos.store import knowledge_postings as postings
from researchos.store import knowledge_search

COMMON = ["widget", "gear", "lever", "spring", "bolt", "valve", "piston", "rotor"]
# fmt: off
NAMED = [
    "stator", "flange", "gasket", "bearing", "shaft", "coupling", "clutch", "brake",
    "pulley", "cam", "crank", "sprocket", "chain", "belt", "nozzle", "pump",
    "filter", "hose", "clamp", "rivet", "washer", "bushing", "spindle",
]
# fmt: on
KINDS = ["claim", "failure", "dependency", "intervention"]


def _vocabulary(rng: random.Random) -> list[str]:
    syllables = ["ka", "lo", "mi", "nu", "ru", "ta", "zo", "pi", "vu", "da", "fi", "go"]
    made = {"".join(rng.choices(syllables, k=3)) for _ in range(600)}
    return NAMED + sorted(made)[:380]


def corpus(count: int = 300, seed: int = 5) -> list[Page]:
    """Pages with a few common words (in most pages) and rare ones (each in ~2.5%)."""
    rng = random.Random(seed)
    rare = _vocabulary(rng)
    pages = []
    for i in range(count):
        words = rng.sample(COMMON, rng.randint(2, 5)) + rng.sample(rare, rng.randint(6, 14))
        rng.shuffle(words)
        pages.append(
            parse_page(
                f"---\nid: m{i:04d}\nkind: {rng.choice(KINDS)}\ntitle: {' '.join(words[:4])}\n"
                f"tags: [{words[-1]}]\n---\n{' '.join(words[4:])}\n",
                display=f"m{i:04d}",
            )
        )
    return pages


def test_sqlite_gets_no_postgres_index_tables(sqlite_app: App) -> None:
    with sqlite_app.database.session() as session:
        names = set(
            session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")).all()
        )
        keys = set(session.scalars(text("SELECT key FROM knowledge_state")).all())
    assert "knowledge_fts" in names
    assert not names & {"knowledge_terms", "knowledge_lexemes"}
    assert keys == {"generation"}


if os.environ.get("RESEARCHOS_TEST_POSTGRES") == "1":  # defined only where they can run

    @pytest.fixture
    def pg_app(clean_env, request) -> App:  # type: ignore[no-untyped-def]
        app = make_app(database_url("postgres", request))
        yield app
        app.close()

    def brute_force(app: App, words: str, limit: int, kinds: list[str] | None) -> list[str]:
        """BM25 by hand from the postings, every candidate scored in full."""
        with app.database.session() as session:
            terms, avgdl = postings.query_terms(session, words=words, common=0.05, min_pages=0)
            scores: dict[int, float] = defaultdict(float)
            matched: dict[int, set[str]] = defaultdict(set)
            for term in terms:
                rows = session.execute(
                    text("SELECT seq, tf, dl FROM knowledge_terms WHERE lexeme = :l"),
                    {"l": term.lexeme},
                )
                for seq, tf, dl in rows:
                    scores[seq] += term.idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * dl / avgdl))
                    matched[seq].add(term.lexeme)
            meta = dict(
                session.execute(text("SELECT seq, page_id || ' ' || kind FROM knowledge_fts")).all()
            )
        rare = {t.lexeme for t in terms if t.rare}
        need = (lambda seen: bool(seen & rare)) if rare else (lambda seen: len(seen) == len(terms))
        pool = [s for s in scores if need(matched[s])]
        pool = [s for s in pool if not kinds or meta[s].split()[1] in kinds]
        pool.sort(key=lambda s: (-scores[s], s))
        return [meta[s].split()[0] for s in pool[:limit]]

    QUERIES = [
        ("widget sprocket", None),  # common + rare
        ("gear lever spindle washer", None),
        ("widget gear", None),  # every word common: all of them select
        ("bushing rivet widget", ["failure", "claim"]),
        ("nothing matches this", None),
    ]

    @pytest.mark.postgres
    @pytest.mark.parametrize("probe_cost", [0, 10**9])  # always probe / always scan
    def test_bm25_over_the_postings_is_exact(
        pg_app: App, monkeypatch: pytest.MonkeyPatch, probe_cost: int
    ) -> None:
        monkeypatch.setattr(knowledge_search, "PRUNE_MIN_PAGES", 0)  # the common-word rule on
        monkeypatch.setattr(postings, "PROBE_COST", probe_cost)
        pg_app.knowledge.rebuild_index(corpus())
        with pg_app.database.session() as session:
            common = knowledge_search.common_lexemes(session)
        assert {"widget", "gear"} <= common and not {"sprocket", "spindl"} & common
        for words, kinds in QUERIES:
            with pg_app.database.session() as session:
                got = knowledge_search.full_text(
                    session, terms=words.split(), limit=10, kinds=kinds
                )
            assert [page for page, _ in got] == brute_force(pg_app, words, 10, kinds), words
            assert all(a[1] >= b[1] for a, b in itertools.pairwise(got))

    @pytest.mark.postgres
    def test_postings_count_words_like_fts5_weights(pg_app: App) -> None:
        page = parse_page(
            "---\nid: one\nkind: claim\ntitle: widget gear\ntags: [widget]\n---\n"
            "The widget and the widget lever.\n",
            display="one",
        )
        pg_app.knowledge.rebuild_index([page])
        with pg_app.database.session() as session:
            rows = dict(session.execute(text("SELECT lexeme, tf FROM knowledge_terms")).all())
            dl = session.scalar(text("SELECT DISTINCT dl FROM knowledge_terms"))
        # widget: title 3 + tags 2 + body 1 + 1; the kind rides in the keywords (2)
        assert rows == {"widget": 7.0, "gear": 3.0, "lever": 1.0, "claim": 2.0}
        assert dl == 7  # title 2 + keywords 2 + body 3 ("the", "and" are stop words)

    def _index_state(app: App) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]], dict]:
        with app.database.session() as session:
            terms = set(
                session.execute(
                    text(
                        "SELECT t.lexeme, f.page_id, t.tf, t.dl FROM knowledge_terms t "
                        "JOIN knowledge_fts f ON f.seq = t.seq"
                    )
                ).all()
            )
            lexemes = set(session.execute(text("SELECT lexeme, df FROM knowledge_lexemes")).all())
            state = dict(
                session.execute(
                    text("SELECT key, value FROM knowledge_state WHERE key LIKE 'text_%'")
                ).all()
            )
        return terms, lexemes, state

    @pytest.mark.postgres
    def test_incremental_writes_keep_the_postings_exact(pg_app: App) -> None:
        pages = corpus(120)
        kb = pg_app.knowledge
        kb.write_pages(pages[:80], event="knowledge.add", summary="first")
        kb.write_pages(pages[80:], event="knowledge.add", summary="second")
        changed = [
            p.model_copy(update={"body": f"{p.body} sprocket nozzle", "title": "gasket"})
            for p in pages[::7]
        ]
        kb.write_pages(changed, event="knowledge.update", summary="edit some")
        incremental = _index_state(pg_app)
        kb.reindex()
        rebuilt = _index_state(pg_app)
        assert incremental == rebuilt
        assert rebuilt[2]["text_pages"] == 120
        assert dict(rebuilt[1])["gasket"] >= len(changed)  # the edits are in

    @pytest.mark.postgres
    def test_search_reads_the_posting_lists_from_the_index(pg_app: App) -> None:
        pg_app.knowledge.rebuild_index(corpus())  # rebuild vacuums: index-only scans work
        with pg_app.database.session() as session:
            terms, avgdl = postings.query_terms(
                session, words="sprocket spindle widget", common=0.05, min_pages=0
            )
            sql, params = postings.statement(terms, avgdl, limit=10, kinds=None)
            plan = "\n".join(
                row[0] for row in session.execute(text(f"EXPLAIN (ANALYZE) {sql}"), params)
            )
        assert "Index Only Scan using knowledge_terms_pkey" in plan
        assert "Seq Scan on knowledge_terms" not in plan
        assert "Heap Fetches: 0" in plan

    def _exact(app: App, query: str, depth: int) -> list[str]:
        retriever = app.knowledge.retriever
        with app.database.session() as session:
            matrix = knowledge_search.vector_matrix(session, model=retriever.embedder.name)
        scores = matrix.matrix @ retriever.embedder.embed([query])[0]
        return [matrix.page_ids[i] for i in np.argsort(-scores, kind="stable")[:depth]]

    @pytest.mark.postgres
    def test_vectors_are_exact_below_the_threshold_and_hnsw_recall_holds_above(
        clean_env, request
    ) -> None:  # type: ignore[no-untyped-def]
        url = database_url("postgres", request)
        queries = ["worn bearing on the shaft", "pump and hose", "brake clutch failure"]
        exact_app = make_app(url)  # default threshold: exact in memory
        try:
            exact_app.knowledge.rebuild_index(corpus(400))
            for query in queries:
                got = exact_app.knowledge.retriever._vector(query, 20, None)
                assert got == _exact(exact_app, query, 20)[: len(got)]
            with exact_app.database.session() as session:
                hnsw = session.scalar(
                    text("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'ix_knowledge_vec%'")
                )
            assert hnsw == 0  # not built while nothing needs it
        finally:
            exact_app.close()
        index_app = make_app(url, knowledge_exact_vectors_max=0)
        try:
            found = []
            for query in queries:
                got = set(index_app.knowledge.retriever._vector(query, 20, None))
                found.append(len(got & set(_exact(index_app, query, 20))) / 20)
            with index_app.database.session() as session:
                hnsw = session.scalar(
                    text("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'ix_knowledge_vec%'")
                )
            assert hnsw == 1
            assert math.fsum(found) / len(found) >= 0.9, found
        finally:
            index_app.close()
