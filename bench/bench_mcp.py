"""Benchmark: MCP tool-call latency over streamable HTTP, and agent-run matrix throughput.

    python bench/bench_mcp.py [--pages 10000] [--calls 200] [--skip-matrix]

1. Indexes synthetic knowledge pages (bench_knowledge's generator), then times
   ``get_work_brief`` and ``search_knowledge`` as direct Python calls (the baseline:
   ``knowledge.api``) and as MCP tool calls through the SDK client against a real
   ``researchos mcp serve --transport streamable-http`` on a loopback port. Prints p50/p95 in
   ms and the MCP/direct ratio. The MCP brief also stores the brief (one row) — part of the tool.
2. Runs the offline ``quick`` matrix (12 cells: 2 scripted agents × 2 conditions × 3 repeats,
   each cell an agent run and an oracle run in bwrap) with 1 and 2 workers: cells per minute.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
from bench_knowledge import make_pages, make_queries, make_repo, percentiles, timed
from mcp import Client

from researchos.app import build_app
from researchos.knowledge import api
from researchos.settings import load_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    argv = [sys.executable, "-m", "researchos.cli.main", "--home", str(home), "mcp", "serve"]
    process = subprocess.Popen([*argv, "--transport", "streamable-http", "--port", str(port)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}/mcp"
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise SystemExit("the MCP server did not start")


async def mcp_timings(
    url: str, calls: dict[str, Callable[[str], dict]], queries: list[str]
) -> dict:
    results = {}
    async with Client(url) as client:
        for name, arguments in calls.items():

            async def one(query: str, tool: str = name, make: Callable = arguments) -> None:
                result = await client.call_tool(tool, make(query))
                assert not result.is_error, result.content

            results[name] = await atimed(one, queries)
    return results


async def atimed(fn: Callable[[str], Awaitable[None]], queries: list[str]) -> tuple[float, float]:
    for query in queries[:5]:
        await fn(query)
    samples = []
    for query in queries:
        start = time.perf_counter()
        await fn(query)
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def latency(base: Path, pages: int, count: int) -> None:
    app = build_app(load_settings(home=base / "ws"), create=True)
    app.knowledge.rebuild_index(make_pages(pages))
    repo = make_repo(base)
    queries = make_queries(count)
    kb = app.knowledge
    direct = {
        "get_work_brief": timed(lambda q: api.build_work_brief(kb, task=q, repo=repo), queries),
        "search_knowledge": timed(lambda q: api.search_knowledge(kb, query=q), queries),
    }
    app.close()
    process, url = start_server(base / "ws")
    try:
        calls = {
            "get_work_brief": lambda q: {"task": q, "repo": str(repo)},
            "search_knowledge": lambda q: {"query": q},
        }
        over_mcp = anyio.run(mcp_timings, url, calls, queries)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"\nMCP over streamable HTTP, {pages:,} pages, {count} calls each (p50 / p95 ms)")
    for name in direct:
        (d50, d95), (m50, m95) = direct[name], over_mcp[name]
        print(
            f"  {name:18s} direct {d50:7.2f} / {d95:7.2f}   mcp {m50:7.2f} / {m95:7.2f}   "
            f"ratio p50 {m50 / d50:4.1f}x, overhead p50 {m50 - d50:5.2f} ms"
        )


def throughput(base: Path) -> None:
    print("\nMatrix throughput (quick: 12 cells, scripted agents, bwrap)")
    for workers in (1, 2):
        app = build_app(load_settings(home=base / f"mx{workers}"), create=True)
        app.knowledge  # noqa: B018  (load the embedder before the clock starts)
        start = time.perf_counter()
        shown = app.matrix.run("quick", workers=workers)
        elapsed = time.perf_counter() - start
        app.close()
        print(
            f"  workers={workers}: {shown['cells_done']} cells in {elapsed:5.1f} s = "
            f"{shown['cells_done'] / elapsed * 60:5.1f} cells/min"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--skip-matrix", action="store_true")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-mcp-"))
    try:
        latency(base, args.pages, args.calls)
        if not args.skip_matrix:
            throughput(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
