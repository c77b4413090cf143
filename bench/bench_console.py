"""Console page latency vs the REST API's JSON for the same data, in one process.

A workspace with 50 projects and an ARA of 200 claims (each citing one evidence file). Each
sample requests a console page (server-rendered HTML, session + CSRF + template) and the API
route that returns the same data as JSON, alternating so both see the same machine load.
Usage: python bench/bench_console.py [--samples 30]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from researchos.app import build_app
from researchos.pipeline.projects import create_project
from researchos.settings import load_settings
from researchos.web.api import create_api
from researchos.workspace.setup import read_token

PAIRS = [
    ("dashboard, 50 projects", "/", "/api/projects"),
    ("ARA overview, 200 claims", "/aras/bench", "/api/aras/bench"),
    ("claim with evidence check", "/aras/bench/claims/C0100", "/api/aras/bench/claims/C0100"),
]


def _workspace(root: Path):
    os.environ["RESEARCHOS_HOME"] = str(root / "ws")
    app = build_app(load_settings(), create=True)
    for n in range(50):
        create_project(app, brief=f"Benchmark brief number {n}: compare two estimators.")
    app.aras.create(title="Bench", slug="bench", mode="mock")
    evidence = root / "metrics.jsonl"
    evidence.write_text('{"condition": "a", "seed": 0, "metric": "m", "value": 1}\n' * 2000)
    ref = app.aras.add_evidence("bench", evidence)
    items = [
        {"statement": f"claim {i}", "evidence": [ref.model_dump()], "numbers": [{"value": i}]}
        for i in range(200)
    ]
    app.aras.add_claims("bench", items)
    return app


def _login(client: TestClient, token: str) -> None:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"csrf_token": csrf, "token": token})


def _time(client: TestClient, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=30)
    samples = parser.parse_args().samples
    with tempfile.TemporaryDirectory() as tmp:
        app = _workspace(Path(tmp))
        with TestClient(create_api(app)) as client:
            _login(client, read_token(app.workspace))
            print(f"{'page':28} {'console ms':>11} {'API ms':>8} {'ratio':>6}")
            for label, page, api in PAIRS:
                pages, apis = [], []
                for _ in range(samples):
                    pages.append(_time(client, page))
                    apis.append(_time(client, api))
                p, a = statistics.median(pages) * 1000, statistics.median(apis) * 1000
                print(f"{label:28} {p:11.1f} {a:8.1f} {p / a:6.2f}")
        app.close()


if __name__ == "__main__":
    main()
