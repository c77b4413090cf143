"""Sandbox benchmarks: per-run overhead of each runner, and throughput of the executors.

    .venv/bin/python bench/bench_sandbox.py [--runs 200] [--samples 40] [--rounds 3]
                                            [--only overhead|throughput]

1. Overhead: median wall time of one `python -c pass` through each runner, against a bare
   subprocess of the same interpreter measured in the same loop (interleaved, so load from
   other processes hits both alike). Goal: bwrap at most 1.5x.
2. Throughput: N short runs through the full run path (record, store, logs) on one worker,
   on the local pool (one worker per core), and on a Dask LocalCluster with the same number
   of workers. Goals: local speed-up at least 1.8x on 2 cores; Dask within 1.2x of local.
   With --rounds R every configuration runs R times in a rotating order and the totals are
   compared, so load from other processes that comes and goes hits all of them alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from researchos.app import build_app
from researchos.runs.executors import Executor, LocalExecutor
from researchos.runs.models import RunSpec
from researchos.sandbox import RUNNERS, Limits, RunnerOptions
from researchos.sandbox.identity import reachable_by_others
from researchos.settings import load_settings

PYTHON = sys.executable
SYSTEM_PYTHON = "/usr/bin/python3"
LIMITS = Limits(wall_time=60, memory=2 << 30)


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _python_for(kind: str) -> str:
    """The interpreter a runner can start: as root the process runner's dropped uid cannot
    reach a Python under /root, so it gets the system one (and is compared with it)."""
    if kind == "process" and os.geteuid() == 0 and not reachable_by_others(Path(PYTHON)):
        return SYSTEM_PYTHON
    return PYTHON


def _cases(scratch: Path) -> tuple[dict[str, tuple[str, Callable[[], int]]], dict[str, str]]:
    cases: dict[str, tuple[str, Callable[[], int]]] = {}
    for python in {PYTHON, _python_for("process")}:
        label = "bare subprocess" + ("" if python == PYTHON else " (system python)")
        cases[label] = (python, lambda p=python: subprocess.run([p, "-c", "pass"]).returncode)
    skipped = {}
    for kind in ("bwrap", "docker", "process"):
        found = RUNNERS[kind].probe()
        if not found.available:
            skipped[kind] = found.reason
            continue
        runner = RUNNERS[kind](
            scratch / kind / "work",
            logs_dir=scratch / kind / "logs",
            options=RunnerOptions(allow_unisolated=True),
        )
        python = _python_for(kind)

        def run(r=runner, p=python) -> int:
            return r.exec([p, "-c", "pass"], limits=LIMITS).returncode

        cases[f"{kind} runner"] = (python, run)
    return cases, skipped


def overhead(samples: int) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="researchos-bench-"))
    scratch.chmod(0o711)  # the process runner's dropped uid must reach its work dir
    cases, skipped = _cases(scratch)
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for name, (_python, run) in cases.items():  # warm caches; and every case must work
        if any(run() != 0 for _ in range(3)):
            raise SystemExit(f"{name}: `python -c pass` failed")
    for _ in range(samples):
        for name, (_python, run) in cases.items():
            start = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - start)
    base = {
        python: (_median_ms(timings[name]), min(timings[name]) * 1000)
        for name, (python, _run) in cases.items()
        if name.startswith("bare")
    }
    print(f"\n== per-run overhead: `python -c pass`, median (min) of {samples}, interleaved ==")
    print(f"{'':32s} {'median':>9s} {'(min)':>9s}   ratio median (min)")
    for name, values in timings.items():
        median, least = _median_ms(values), min(values) * 1000
        base_median, base_least = base[cases[name][0]]
        print(
            f"{name:32s} {median:6.2f} ms ({least:6.2f})   "
            f"{median / base_median:5.2f}x ({least / base_least:4.2f}x)"
        )
    for kind, reason in skipped.items():
        print(f"{kind + ' runner':32s} unavailable: {reason}")
    print("goal: bwrap runner <= 1.50x")
    shutil.rmtree(scratch, ignore_errors=True)


# `python -c pass` (~10 ms) measures orchestration; a ~50 ms CPU loop is a short experiment
WORKLOADS = {"python -c pass": "pass", "50 ms of CPU": "sum(range(1_500_000))"}


def _throughput(executor: Executor, runs: int, code: str = "pass") -> float:
    specs = [RunSpec(command=[PYTHON, "-c", code], label="bench") for _ in range(runs)]
    start = time.perf_counter()
    records = executor.map(specs)
    elapsed = time.perf_counter() - start
    bad = [r for r in records if r.result_class != "succeeded"]
    if bad:
        raise SystemExit(f"{len(bad)} runs did not succeed: {bad[0].error or bad[0].notes}")
    return elapsed


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def throughput(runs: int, rounds: int) -> None:
    """Each round runs every configuration once, in a rotating order, so load from other
    processes that comes and goes hits all of them alike; totals are summed over rounds."""
    workers = os.cpu_count() or 1
    home = Path(tempfile.mkdtemp(prefix="researchos-bench-ws-"))
    app = build_app(load_settings(log_file=False), home=home, create=True)
    dask = _DaskCluster.start(workers)
    configs: dict[str, Callable[[], Executor]] = {
        "1 worker": lambda: LocalExecutor(app.runs, workers=1),
        f"local x{workers}": lambda: LocalExecutor(app.runs, workers=workers),
    }
    if dask is not None:
        configs[f"dask x{workers}"] = lambda: dask.executor(app.runs)  # type: ignore[union-attr]
    try:
        for label, code in WORKLOADS.items():
            _throughput_rounds(configs, runs, rounds, label, code, workers)
    finally:
        if dask is not None:
            dask.close()
        app.close()
        shutil.rmtree(home, ignore_errors=True)


def _throughput_rounds(
    configs: dict[str, Callable[[], Executor]],
    runs: int,
    rounds: int,
    label: str,
    code: str,
    workers: int,
) -> None:
    print(f"\n== {runs} short runs ({label}) through the full run path ({workers} cores) ==")
    names = list(configs)
    times: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        print(f"round {number + 1}: load {_load()}", end="", flush=True)
        for name in names[number % len(names) :] + names[: number % len(names)]:
            with configs[name]() as executor:
                _throughput(executor, min(runs, 10), code)  # warm up (Dask workers' imports)
                times[name].append(_throughput(executor, runs, code))
            print(f"  {name} {times[name][-1]:.2f} s", end="", flush=True)
        print()
    total = {name: sum(values) for name, values in times.items()}
    serial, local = total[names[0]], total[names[1]]
    for name in names:
        rate = runs * rounds / total[name]
        print(f"{name:18s} {total[name]:7.2f} s   {rate:6.1f} runs/s", end="")
        if name == names[1]:
            print(f"   speed-up {serial / local:4.2f}x (goal >= 1.8x on 2 cores)", end="")
        elif name.startswith("dask"):
            print(f"   {total[name] / local:4.2f}x local time (goal <= 1.2x)", end="")
        print()
    ratios = [a / b for a, b in zip(times[names[0]], times[names[1]], strict=True)]
    print(f"speed-up per round: {', '.join(f'{r:.2f}' for r in ratios)}")


class _DaskCluster:
    """A LocalCluster with one single-threaded worker process per core, as in the tests."""

    def __init__(self, cluster: object, client: object) -> None:
        self.cluster, self.client = cluster, client

    @classmethod
    def start(cls, workers: int) -> _DaskCluster | None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            print("dask: not installed (pip install 'researchos[dask]')")
            return None
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        return cls(cluster, Client(cluster))

    def executor(self, service: object) -> Executor:
        from researchos.runs.dask import DaskExecutor

        return DaskExecutor(service, client=self.client)  # type: ignore[arg-type]

    def close(self) -> None:
        self.client.close()  # type: ignore[attr-defined]
        self.cluster.close()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=1, help="throughput rounds (interleaved)")
    parser.add_argument("--only", choices=("overhead", "throughput"))
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, uid {os.geteuid()}")
    print(f"load average at start (1/5/15 min): {_load()}")
    if args.only != "throughput":
        overhead(args.samples)
    if args.only != "overhead":
        throughput(args.runs, args.rounds)
    print(f"load average at end: {_load()}")
    print("\nfigures depend on machine load; compare ratios, not absolute times")


if __name__ == "__main__":
    main()
