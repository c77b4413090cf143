"""Benchmark: freeze + verify of an ARA holding SIZE of evidence vs `sha256sum` + `zip -0`.

    python bench/bench_package.py            # 1 GiB of evidence (needs ~5 GiB of free disk)
    python bench/bench_package.py --size 256M --repeat 3

The ARA is built through AraService in a fresh workspace: a mix of large binary evidence
(.npy, random bytes), large CSV text, a compressed figure and many small JSONL files, with a
claim citing some of them. The baseline does the same two jobs with standard tools on the
same files: hash every file (`sha256sum`), then archive them (`zip -0 -r`). Each side is
measured --repeat times alternately, each after a `sync` so neither pays for the other's
write-back; medians are reported. Our freeze fsyncs the ZIP before publishing it; `zip` does
not fsync, so the comparison slightly favours the baseline. Goal: our throughput at least
0.8x the baseline's. Everything is deleted afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from researchos.app import App, build_app
from researchos.settings import Settings

SLUG = "bench-evidence"
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?)i?B?", text.strip().upper())
    if not match:
        raise SystemExit(f"--size {text!r}: use e.g. 1G, 256M, 64M")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def _csv_block(size: int) -> bytes:
    row = b"condition,seed,metric,value\n" + b"".join(
        b"cond-%d,%d,accuracy,0.%06d\n" % (i % 7, i % 5, (i * 7919) % 1000000) for i in range(4096)
    )
    return (row * (size // len(row) + 1))[:size]


def evidence_plan(total: int) -> list[tuple[str, int, str]]:
    """(name, size, kind): ~70% binary, ~20% CSV, a figure, the rest small JSONL files."""
    small_count, small_size = 200, max(total // 10 // 200, 1)
    binary_count = 6
    plan = [(f"weights-{i}.npy", total * 7 // 10 // binary_count, "random") for i in range(6)]
    plan += [(f"table-{i}.csv", total * 2 // 10 // 2, "csv") for i in range(2)]
    plan += [("figure.png", min(total // 100, 8 << 20), "random")]
    plan += [(f"metrics-{i:03d}.jsonl", small_size, "csv") for i in range(small_count)]
    return plan


def write_input(path: Path, size: int, kind: str) -> None:
    with path.open("wb") as handle:
        left = size
        block = _csv_block(4 << 20) if kind == "csv" else b""
        while left > 0:
            step = min(left, 4 << 20)
            handle.write(os.urandom(step) if kind == "random" else block[:step])
            left -= step


def build_ara(app: App, inputs: Path, total: int) -> int:
    aras = app.aras
    aras.create(title="Benchmark evidence", slug=SLUG, authors=["Bench"], mode="mock")
    inputs.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, size, kind in evidence_plan(total):
        source = inputs / name
        write_input(source, size, kind)
        subdir = "figures" if name.endswith(".png") else "raw"
        aras.add_evidence(SLUG, source, subdir=subdir)
        source.unlink()
        written += size
    claim = aras.add_claim(SLUG, {"statement": "The weights were trained", "status": "supported"})
    raw = app.workspace.ara_path(SLUG) / "evidence" / "raw"
    for name in ("weights-0.npy", "table-0.csv"):
        aras.add_evidence(SLUG, raw / name, claim_id=claim.id)
    return written


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure_ours(app: App) -> tuple[float, float]:
    os.sync()  # start from a clean page cache: the other side's write-back is not ours to pay
    start = time.perf_counter()
    result = app.packages.freeze(SLUG)
    freeze_s = time.perf_counter() - start
    start = time.perf_counter()
    report = app.packages.verify(result.zip_path)
    verify_s = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(f"verification failed: {report.problems}")
    result.zip_path.unlink()
    result.signature_path.unlink()
    return freeze_s, verify_s


def measure_baseline(ara: Path, out: Path) -> tuple[float, float]:
    files = sorted(str(p.relative_to(ara)) for p in ara.rglob("*") if p.is_file())
    os.sync()
    hash_s = _timed(
        lambda: subprocess.run(
            ["sha256sum", "--", *files], cwd=ara, check=True, stdout=subprocess.DEVNULL
        )
    )
    zip_s = _timed(
        lambda: subprocess.run(["zip", "-0", "-q", "-r", str(out), "."], cwd=ara, check=True)
    )
    out.unlink()
    return hash_s, zip_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1G", help="evidence size, e.g. 1G, 256M (default 1G)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="scratch directory (default: tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch workspace")
    args = parser.parse_args()
    total = parse_size(args.size)
    missing = [tool for tool in ("zip", "sha256sum") if shutil.which(tool) is None]
    scratch = Path(tempfile.mkdtemp(prefix="researchos-bench-package-", dir=args.dir))
    try:
        run(scratch, total, args.repeat, missing)
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def run(scratch: Path, total: int, repeat: int, missing: list[str]) -> None:
    home = scratch / "ws"
    app = build_app(Settings(home=home, log_file=False), create=True)
    # loose objects uncompressed: setting up a GiB of evidence in git is not what we measure
    app.workspace.git.run("config", "core.looseCompression", "0")
    start = time.perf_counter()
    size = build_ara(app, scratch / "inputs", total)
    print(f"setup: {size / 2**20:.0f} MiB of evidence in {time.perf_counter() - start:.1f} s")
    app.packages.keys.load_or_create()
    ara = app.workspace.ara_path(SLUG)
    mine: list[float] = []
    theirs: list[float] = []
    for attempt in range(1, repeat + 1):
        freeze_s, verify_s = measure_ours(app)
        mine.append(freeze_s + verify_s)
        line = f"run {attempt}: freeze {freeze_s:.2f} s + verify {verify_s:.2f} s"
        if not missing:
            hash_s, zip_s = measure_baseline(ara, scratch / "baseline.zip")
            theirs.append(hash_s + zip_s)
            line += f" | sha256sum {hash_s:.2f} s + zip -0 {zip_s:.2f} s"
        print(line, flush=True)
    app.close()
    report(size, mine, theirs, missing)


def report(size: int, mine: list[float], theirs: list[float], missing: list[str]) -> None:
    ours_s = statistics.median(mine)
    mib = size / 2**20
    print(f"ResearchOS freeze+verify: {ours_s:.2f} s  ({mib / ours_s:.0f} MiB/s)")
    if missing:
        print(f"baseline skipped: {', '.join(missing)} not installed (apt-get install zip)")
        return
    base_s = statistics.median(theirs)
    ratio = base_s / ours_s
    print(f"sha256sum + zip -0:       {base_s:.2f} s  ({mib / base_s:.0f} MiB/s)")
    verdict = "meets" if ratio >= 0.8 else "MISSES"
    print(f"throughput ratio (ours / baseline): {ratio:.2f}x — {verdict} the 0.8x goal")


if __name__ == "__main__":
    sys.exit(main())
