"""Semantic commit latency vs a plain `git commit` of the same change, at 0 and 10k commits.

Each sample writes one new claim file. The semantic path is history.content_change (ARA lock,
git lock, journal, atomic write, commit with Researchos-* trailers); the baseline writes the
same bytes and runs `git add` + `git commit -m` in the same repository. Samples alternate so
both see the same machine load. Usage: python bench/bench_commits.py [--samples 40]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from researchos.history.changes import content_change
from researchos.history.commits import ChangeMeta
from researchos.workspace import init_workspace

CLAIM = "format_version: 1\nid: {id}\nstatement: benchmark claim {id}\n"


def semantic(ws, n: int) -> float:
    meta = ChangeMeta(
        event="claim.add",
        scope="bench",
        summary=f"add claim S{n}",
        actor="user:bench",
        extra={"Claim": f"S{n}"},
    )
    start = time.perf_counter()
    with content_change(ws.root, ws.var_dir, meta, ara="bench") as cs:
        cs.write_bytes(ws.root / f"ara/bench/claims/S{n}.yaml", CLAIM.format(id=f"S{n}"))
    return time.perf_counter() - start


def plain(ws, n: int) -> float:
    start = time.perf_counter()
    path = ws.root / f"ara/bench/claims/P{n}.yaml"
    path.write_text(CLAIM.format(id=f"P{n}"))
    subprocess.run(["git", "add", "--", str(path)], cwd=ws.root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", f"add claim P{n}"], cwd=ws.root, check=True)
    return time.perf_counter() - start


def grow_history(root: Path, commits: int) -> None:
    """Append ``commits`` commits quickly with git fast-import (each touches one file)."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    lines = []
    for i in range(commits):
        body = f"history filler {i}\n".encode()
        msg = f"claim.add(history): filler {i}\n".encode()
        lines.append(b"commit refs/heads/main\n")
        lines.append(f"committer Bench <b@x> {1700000000 + i} +0000\n".encode())
        lines.append(b"data %d\n%s" % (len(msg), msg))
        if i == 0:
            lines.append(f"from {head}\n".encode())
        lines.append(f"M 100644 inline ara/history/f{i % 500}.txt\n".encode())
        lines.append(b"data %d\n%s\n" % (len(body), body))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(lines), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)


def measure(ws, samples: int, offset: int) -> tuple[float, float]:
    sem, base = [], []
    for i in range(samples):
        sem.append(semantic(ws, offset + i))
        base.append(plain(ws, offset + i))
    return statistics.median(sem) * 1000, statistics.median(base) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--history", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init_workspace(Path(tmp) / "ws", actor="bench")
        (ws.root / "ara/bench/claims").mkdir(parents=True)
        rows = []
        sem0, base0 = measure(ws, args.samples, 0)
        rows.append((0, sem0, base0))
        t = time.perf_counter()
        grow_history(ws.root, args.history)
        grow_s = time.perf_counter() - t
        count = subprocess.run(
            ["git", "rev-list", "--count", "HEAD"], cwd=ws.root, capture_output=True, text=True
        ).stdout.strip()
        sem1, base1 = measure(ws, args.samples, 10_000_000)
        rows.append((int(count), sem1, base1))
    print(f"history grown by {args.history} commits in {grow_s:.1f} s")
    print(f"{'history':>8} {'semantic ms':>12} {'plain git ms':>13} {'ratio':>6}")
    for history, sem, base in rows:
        print(f"{history:>8} {sem:>12.2f} {base:>13.2f} {sem / base:>6.2f}")
    print(
        f"semantic latency growth from 0 to {rows[1][0]} commits: "
        f"{rows[1][1] / rows[0][1]:.2f}x (plain git: {rows[1][2] / rows[0][2]:.2f}x)"
    )


if __name__ == "__main__":
    main()
