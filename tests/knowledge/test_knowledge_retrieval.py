"""Hybrid retrieval on real SQLite (and PostgreSQL + pgvector behind the flag)."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest
from knowledge_corpus import QUERIES
from knowledge_helpers import database_url, load_corpus, make_app, write_page
from sqlalchemy import text

from researchos.app import App
from researchos.knowledge import api
from researchos.knowledge.page import parse_page
from researchos.knowledge.retrieval import fuse, query_terms
from researchos.store import knowledge_search


def _quality(app: App, mode: str) -> tuple[int, float, list[str]]:
    """(queries with an expected page in the top 3, mean reciprocal rank in the top 10, misses)"""
    found, reciprocal, misses = 0, 0.0, []
    for query, expected in QUERIES:
        result = api.search_knowledge(app.knowledge, query=query, limit=10, mode=mode)  # type: ignore[arg-type]
        ids = [hit["page_id"] for hit in result["hits"]]
        ranks = [ids.index(page) + 1 for page in expected if page in ids]
        best = min(ranks) if ranks else None
        found += best is not None and best <= 3
        reciprocal += 1 / best if best else 0.0
        if best is None or best > 3:
            misses.append(query)
    return found, reciprocal / len(QUERIES), misses


def test_hybrid_beats_bm25_on_the_labelled_corpus(kapp: App) -> None:
    load_corpus(kapp)
    bm25, bm25_mrr, bm25_misses = _quality(kapp, "bm25")
    hybrid, hybrid_mrr, hybrid_misses = _quality(kapp, "hybrid")
    print(f"hit@3 bm25={bm25}/10 (MRR {bm25_mrr:.2f}) hybrid={hybrid}/10 (MRR {hybrid_mrr:.2f})")
    assert hybrid >= bm25, (bm25_misses, hybrid_misses)
    assert hybrid_mrr >= bm25_mrr
    assert hybrid >= 9, hybrid_misses


def test_search_reports_its_mode_and_kind_filter(kapp: App) -> None:
    load_corpus(kapp)
    result = api.search_knowledge(kapp.knowledge, query="pandas dataframe", kind="failure")
    assert result["mode"] == "hybrid"
    assert result["hits"] and {h["kind"] for h in result["hits"]} == {"failure"}
    assert result["hits"][0]["page_id"] == "pandas-copy-warning"


def test_query_syntax_cannot_reach_the_full_text_engine(kapp: App) -> None:
    load_corpus(kapp)
    for query in [
        '"unbalanced',
        "NEAR(a b",
        "a* OR -b AND (",
        "title:x ^y",
        "x & !y | z:*",
        "'; DROP",
    ]:
        result = api.search_knowledge(kapp.knowledge, query=query, mode="bm25")
        assert isinstance(result["hits"], list)
    assert query_terms('NEAR("db" locked*)') == ["near", "db", "locked"]


def test_new_page_is_found_by_vectors_after_a_write(kapp: App, tmp_path) -> None:
    load_corpus(kapp)
    api.search_knowledge(kapp.knowledge, query="warm the vector cache", mode="vector")
    page = write_page(
        tmp_path,
        "gpu.md",
        "---\nid: cuda-oom\nkind: failure\ntitle: CUDA out of memory with large batches\n---\n"
        "Halve the batch size or enable gradient checkpointing when the GPU runs out of memory.",
    )
    kapp.knowledge.add(page)
    result = api.search_knowledge(
        kapp.knowledge, query="graphics card memory exhausted", mode="vector"
    )
    assert "cuda-oom" in [h["page_id"] for h in result["hits"][:3]]


def test_without_an_embedder_search_is_bm25_and_says_so(clean_env) -> None:
    app = make_app(knowledge_embedder="none")
    try:
        load_corpus(app)
        result = api.search_knowledge(app.knowledge, query="database is locked")
        assert result["mode"] == "bm25"
        assert "BM25" in (result["notice"] or "") or "disabled" in (result["notice"] or "")
        assert result["hits"][0]["page_id"] == "sqlite-busy"
    finally:
        app.close()


def test_reindex_rebuilds_the_index_from_the_files(sqlite_app: App, cli) -> None:
    load_corpus(sqlite_app)
    with sqlite_app.database.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM knowledge_pages")
        conn.exec_driver_sql("DELETE FROM knowledge_fts")
    assert api.search_knowledge(sqlite_app.knowledge, query="database is locked")["hits"] == []
    result = cli("reindex", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["knowledge"]["pages"] == 40
    hits = api.search_knowledge(sqlite_app.knowledge, query="database is locked")["hits"]
    assert hits[0]["page_id"] == "sqlite-busy"


def test_search_cli_json(sqlite_app: App, cli) -> None:
    load_corpus(sqlite_app)
    result = cli("knowledge", "search", "plots without a display", "--limit", "2", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["hits"][0]["page_id"] == "matplotlib-agg" and len(data["hits"]) == 2
    bad = cli("knowledge", "search", "x", "--kind", "nonsense")
    assert bad.code == 1 and "unknown page kind" in bad.err


def test_fusion_rewards_agreement() -> None:
    fused = fuse([["a", "b", "c"], ["b", "c", "a"]])
    assert [p for p, _ in fused][:1] == ["b"]
    assert pytest.approx(fused[0][1]) == 1 / 62 + 1 / 61


def test_words_in_every_page_rank_but_do_not_flood_the_candidates(
    kapp: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(knowledge_search, "PRUNE_MIN_PAGES", 0)  # as if the index were large
    pages = [
        parse_page(
            f"---\nid: w{i}\nkind: claim\ntitle: widget note {i}\n---\n"
            f"The widget handles case {i} with gear{i} and lever{i}.\n",
            display=f"w{i}",
        )
        for i in range(60)
    ]
    pages.append(
        parse_page(
            "---\nid: special\nkind: claim\ntitle: widget sprocket\n---\nA widget sprocket.\n",
            display="special",
        )
    )
    kapp.knowledge.rebuild_index(pages)  # analyses the table on PostgreSQL
    with kapp.database.session() as session:
        common = knowledge_search.common_lexemes(session)
    assert ("widget" in common) == (kapp.database.engine.dialect.name == "postgresql")
    both = api.search_knowledge(kapp.knowledge, query="widget sprocket", mode="bm25", limit=5)
    assert both["hits"][0]["page_id"] == "special"
    alone = api.search_knowledge(kapp.knowledge, query="widget", mode="bm25", limit=5)
    assert len(alone["hits"]) == 5  # every word common: candidates need all of them


if os.environ.get("RESEARCHOS_TEST_POSTGRES") == "1":  # defined only where it can run

    @pytest.mark.postgres
    def test_hnsw_search_returns_the_whole_depth(clean_env, request) -> None:
        app = make_app(database_url("postgres", request))
        try:
            pages = [
                parse_page(
                    f"---\nid: n{i}\nkind: claim\ntitle: widget note {i}\n---\nnumber {i}\n",
                    display=f"n{i}",
                )
                for i in range(200)
            ]
            app.knowledge.rebuild_index(pages)
            vector = app.knowledge.retriever.embedder.embed(["widget note"])[0]
            with app.database.session() as session:
                session.execute(text("SET LOCAL enable_seqscan = off"))  # plan the HNSW index
                rows = knowledge_search.vector_search(
                    session, vector=vector, model=app.knowledge.retriever.embedder.name, limit=60
                )
            assert len(rows) == 60  # pgvector stops at ef_search (40) unless told otherwise
        finally:
            app.close()


def test_missing_wordllama_falls_back_to_bm25_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, clean_env
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "wordllama" else real(name, *a),
    )
    app = make_app()
    try:
        load_corpus(app)
        result = api.search_knowledge(app.knowledge, query="database is locked")
        assert result["mode"] == "bm25"
        assert "pip install 'researchos[embeddings]'" in result["notice"]
    finally:
        app.close()
