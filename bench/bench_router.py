"""Router overhead per call vs a direct httpx call to the same local server.

Starts a minimal OpenAI Responses endpoint in a separate process (so its work does not
share our GIL), then times, interleaved, N direct ``httpx`` POSTs (build body, send, parse,
extract text) and N ``router.call`` through the full path (policy lookup, gates, adapter,
retries wrapper, structured parse when asked, routing record written to SQLite). The
difference of the medians is the router's overhead. Goal: at most 2 ms per call.

Loopback timings carry the noise of a shared machine, so the same comparison also runs over
an in-memory httpx transport (the adapters' transport seam): no socket, only the router's
own work versus the same direct client code.

    .venv/bin/python bench/bench_router.py [--calls 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from pydantic import BaseModel, ConfigDict

KEY = "bench-key-0123456789"
BODY = json.dumps(
    {
        "id": "resp_bench",
        "object": "response",
        "status": "completed",
        "model": "gpt-5",
        "output": [
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": '{"ok": true, "note": "bench"}'}],
            }
        ],
        "usage": {"input_tokens": 42, "output_tokens": 9, "total_tokens": 51},
    }
).encode()


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ok: bool
    note: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as production servers do; else delayed ACKs add 40 ms

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


def serve(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), _Handler).serve_forever()


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(100):
        try:
            httpx.post(f"{url}/responses", json={}, timeout=1)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit("bench server did not start")


def direct_call(client: httpx.Client, url: str) -> str:
    body = {
        "model": "gpt-5",
        "input": [{"role": "user", "content": "hi"}],
        "max_output_tokens": 64,
        "store": False,
    }
    response = client.post(
        f"{url}/responses", json=body, headers={"Authorization": f"Bearer {KEY}"}
    )
    data = response.json()
    return str(data["output"][0]["content"][0]["text"])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--serve", type=int)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    proc, url = start_server()
    home = Path(tempfile.mkdtemp(prefix="researchos-bench-"))
    os.environ.update(
        {
            "RESEARCHOS_HOME": str(home / "ws"),
            "OPENAI_API_KEY": KEY,
            "RESEARCHOS_OPENAI_BASE_URL": url,
            "RESEARCHOS_MODEL_BALANCED": "gpt-5",
        }
    )
    from researchos.app import build_app
    from researchos.providers import ModelRequest
    from researchos.providers.wiring import build_router
    from researchos.settings import load_settings

    app = build_app(load_settings(), create=True)
    router = app.router
    memory = httpx.MockTransport(lambda request: httpx.Response(200, content=BODY))
    memory_router = build_router(
        app.settings, app.workspace, app.database, app.secrets, actor=app.actor, transport=memory
    )
    memory_client = httpx.Client(transport=memory)
    text_request = ModelRequest.of("hi", max_tokens=64)
    schema_request = ModelRequest.of("hi", schema=Answer, max_tokens=64)
    client = httpx.Client(timeout=30)
    steps = {
        "direct": lambda: direct_call(client, url),
        "router": lambda: router.call("drafting", text_request),
        "router+schema": lambda: router.call("drafting", schema_request),
        "mem direct": lambda: direct_call(memory_client, url),
        "mem router": lambda: memory_router.call("drafting", text_request),
        "mem router+sch": lambda: memory_router.call("drafting", schema_request),
    }
    timings: dict[str, list[float]] = {name: [] for name in steps}
    try:
        for _ in range(50):  # warm up connections, caches, SQLite
            for step in steps.values():
                step()
        names = list(steps)
        for index in range(args.calls):
            shift = index % len(names)  # rotate the order: no path always goes first
            for name in names[shift:] + names[:shift]:
                step = steps[name]
                started = time.perf_counter()
                step()
                timings[name].append((time.perf_counter() - started) * 1000)
        mock = router.with_mode("mock")
        mock_times = []
        for _ in range(args.calls):
            started = time.perf_counter()
            mock.call("drafting", schema_request)
            mock_times.append((time.perf_counter() - started) * 1000)
    finally:
        client.close()
        memory_router.close()
        app.close()
        proc.terminate()
        shutil.rmtree(home, ignore_errors=True)
    print(f"router overhead vs direct httpx, {args.calls} interleaved calls each (ms per call)")
    print(f"{'path':<16}{'median':>9}{'p90':>9}")
    for name, values in [*timings.items(), ("mock (no HTTP)", mock_times)]:
        print(f"{name:<16}{statistics.median(values):>9.3f}{percentile(values, 0.9):>9.3f}")
    for base, names in (
        ("direct", ("router", "router+schema")),
        ("mem direct", ("mem router", "mem router+sch")),
    ):
        direct = statistics.median(timings[base])
        for name in names:
            overhead = statistics.median(timings[name]) - direct
            verdict = "OK" if overhead <= 2.0 else "OVER GOAL"
            print(f"overhead {name:<15} {overhead:6.3f} ms  (goal <= 2 ms: {verdict})")


if __name__ == "__main__":
    main()
