"""Orchestration overhead of `researchos demo`: total time minus time inside experiments.

Runs the demo brief end to end in a fresh workspace (mock mode), then takes the union of the
wall-clock intervals during which at least one sandboxed experiment process was running
(from the run records) and subtracts it from the total. Goal: at most 3 s on 2 cores.
Usage: python bench/bench_demo.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def busy_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of intervals."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


def one_run() -> tuple[float, float, int]:
    from researchos.app import build_app
    from researchos.cli.demo import DEMO_BRIEF
    from researchos.pipeline.engine import run_project
    from researchos.pipeline.projects import create_project
    from researchos.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["RESEARCHOS_HOME"] = str(Path(tmp) / "ws")
        started = time.time()
        app = build_app(load_settings(), create=True)
        project = create_project(app, brief=DEMO_BRIEF, mode="mock")
        outcome = run_project(app, project.id)
        total = time.time() - started
        assert outcome.status == "completed", outcome.error
        records = app.runs.list(limit=10_000)
        intervals = [
            (r.started.timestamp(), r.finished.timestamp())
            for r in records
            if r.started and r.finished
        ]
        app.close()
    return total, busy_seconds(intervals), len(intervals)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [one_run() for _ in range(args.repeat)]
    for total, busy, runs in rows:
        print(
            f"total {total:6.2f} s  inside experiments {busy:6.2f} s ({runs} runs)  "
            f"overhead {total - busy:5.2f} s"
        )
    overhead = statistics.median(total - busy for total, busy, _ in rows)
    print(f"median orchestration overhead: {overhead:.2f} s (goal <= 3 s)")


if __name__ == "__main__":
    main()
