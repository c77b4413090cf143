"""Benchmark: distil a synthetic 50 MB Claude Code session in mock mode (and 5 MB for scale).

    python bench/bench_distill.py                  # 5 MB and 50 MB
    python bench/bench_distill.py --sizes 5,50,100

Each size runs in its own child process so its peak RSS (``resource.getrusage``) is its own.
The child builds a fresh workspace, writes the session (researchos.distill.sample), then
measures, on the same file:
- the baseline: read it line by line and ``json.loads`` every line (the least any JSONL
  reader must do), and a child that imports the app and reads the file (its RSS floor);
- the distillation: parse (streaming) -> mock ``distillation`` call(s) -> grounding (second
  streaming pass) -> one ``distill.add`` commit.
Goal: 50 MB in under 30 s, peak RSS bounded (well under the file size) and growing far
slower than the file; time about linear in size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MB = 1 << 20


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # git runs as a child process
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child(size_mb: int) -> dict[str, Any]:
    from researchos.app import build_app
    from researchos.distill import Distiller, limits_for
    from researchos.distill.sample import write_session
    from researchos.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="bench-distill-") as tmp:
        root = Path(tmp)
        session = root / "session.jsonl"
        size = write_session(session, size_mb * MB, seed=size_mb)
        os.environ["RESEARCHOS_HOME"] = str(root / "ws")
        os.environ["RESEARCHOS_RUN_MODE"] = "mock"
        app = build_app(load_settings(), create=True)
        distiller = Distiller(app, limits_for(app.settings))
        rss_before = _rss_mb()
        started = time.perf_counter()
        with session.open("rb") as handle:
            lines = sum(1 for line in handle if json.loads(line) is not None)
        baseline = time.perf_counter() - started
        started, cpu = time.perf_counter(), _cpu_s()
        report = distiller.distill(session)
        seconds, cpu = time.perf_counter() - started, _cpu_s() - cpu
        app.close()
        return {
            "size_mb": round(size / MB, 1),
            "lines": lines,
            "seconds": round(seconds, 2),
            "cpu_s": round(cpu, 2),
            "baseline_json_s": round(baseline, 3),
            "rss_before_mb": round(rss_before, 1),
            "peak_rss_mb": round(_rss_mb(), 1),
            "events_seen": sum(report.events.values()),
            "calls": report.calls,
            "claims": len(report.claims),
            "traces": len(report.traces),
            "evidence_mode": report.evidence_mode,
        }


def run(size_mb: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(size_mb)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


COLUMNS = (
    ("size MB", "size_mb"),
    ("lines", "lines"),
    ("wall s", "seconds"),
    ("cpu s", "cpu_s"),
    ("json s", "baseline_json_s"),
    ("RSS0 MB", "rss_before_mb"),
    ("peak MB", "peak_rss_mb"),
    ("events", "events_seen"),
    ("calls", "calls"),
    ("claims", "claims"),
    ("traces", "traces"),
    ("evidence", "evidence_mode"),
)


def show(rows: list[dict[str, Any]]) -> None:
    print(" ".join(f"{title:>11}" for title, _ in COLUMNS))
    for row in rows:
        print(" ".join(f"{row[key]!s:>11}" for _, key in COLUMNS))
    for row in rows:
        growth = row["peak_rss_mb"] - row["rss_before_mb"]
        print(
            f"{row['size_mb']} MB: {row['seconds']} s wall ({row['cpu_s']} s CPU), "
            f"{row['seconds'] / row['baseline_json_s']:.0f}x a bare json.loads pass; peak RSS "
            f"{row['peak_rss_mb']} MB = {row['peak_rss_mb'] / row['size_mb']:.2f}x the file; "
            f"+{growth:.0f} MB over the app before distilling = "
            f"{growth / row['size_mb']:.2f}x the file"
        )
    if len(rows) > 1:
        small, big = rows[0], rows[-1]
        print(
            f"size x{big['size_mb'] / small['size_mb']:.1f} -> wall x"
            f"{big['seconds'] / small['seconds']:.1f}, CPU x{big['cpu_s'] / small['cpu_s']:.1f}"
        )
    for row in rows:
        if 45 <= row["size_mb"] <= 55:  # the goal is stated for 50 MB
            verdict = "met" if row["seconds"] < 30 else "MISSED"
            print(f"goal: {row['size_mb']} MB under 30 s in mock mode: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="5,50", help="comma-separated sizes in MB")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child)))
        return
    show([run(int(size)) for size in args.sizes.split(",")])


if __name__ == "__main__":
    main()
