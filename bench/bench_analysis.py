"""Benchmark the analysis stage and the alignment pass; prints figures, asserts nothing.

    python bench/bench_analysis.py [--repeat 3]

1. Analysis of 10 conditions x 50 seeds x 5 metrics (500 metrics.jsonl files, 2,500 lines):
   ``analyse`` without figures, with figures, with bootstrap CIs, and ``write_analysis`` into a
   fresh workspace. Baseline, measured in the same run: reading and json-parsing the same
   files plus calling scipy's ttest_rel / wilcoxon / t.interval directly for the same cells
   and comparisons — the floor any analysis pays.
2. Alignment of a 2,000-line paper citing 200 claims. Baseline: one regex scan for numbers
   over the same text.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import stats as sps

from researchos.analysis import AnalysisPlan, MetricsInput, analyse, write_analysis
from researchos.artifacts.models import Claim
from researchos.drafts import check_alignment

CONDITIONS, SEEDS, METRICS = 10, 50, 5


def timed(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def make_runs(root: Path, conditions: int, seeds: int, metrics: int) -> list[MetricsInput]:
    rng = np.random.default_rng(0)
    inputs = []
    for c in range(conditions):
        for seed in range(seeds):
            path = root / f"c{c}-s{seed}" / "metrics.jsonl"
            path.parent.mkdir(parents=True)
            lines = [
                json.dumps(
                    {
                        "condition": f"cond{c}",
                        "seed": seed,
                        "metric": f"m{m}",
                        "value": float(0.7 + 0.01 * c + rng.normal(0, 0.02)),
                    }
                )
                for m in range(metrics)
            ]
            path.write_text("\n".join(lines) + "\n", "utf-8")
            inputs.append(MetricsInput(run_id=f"c{c}-s{seed}", path=path))
    return inputs


def plan_for(metrics: int) -> AnalysisPlan:
    others = [f"m{m}" for m in range(1, metrics)]
    return AnalysisPlan(primary_metric="m0", secondary_metrics=others, baseline="cond0")


def scipy_floor(inputs: list[MetricsInput]) -> None:
    """Parse every line, then the same statistics by direct scipy calls."""
    cells: dict[tuple[str, str], list[float]] = {}
    for item in inputs:
        for line in item.path.read_text("utf-8").splitlines():
            row = json.loads(line)
            cells.setdefault((row["condition"], row["metric"]), []).append(row["value"])
    for values in cells.values():
        arr = np.array(values)
        sps.t.interval(0.95, len(arr) - 1, loc=arr.mean(), scale=sps.sem(arr))
    for m in range(METRICS):
        base = np.array(cells[("cond0", f"m{m}")])
        for c in range(1, CONDITIONS):
            other = np.array(cells[(f"cond{c}", f"m{m}")])
            sps.ttest_rel(other, base)
            sps.wilcoxon(other - base)


def row(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<44}{seconds * 1000:9.1f} ms  {note}")


def bench_analysis(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_runs(Path(tmp) / "runs", CONDITIONS, SEEDS, METRICS)
        plan = plan_for(METRICS)
        boot = plan.model_copy(update={"ci_method": "bootstrap", "bootstrap_resamples": 2000})
        floor = timed(lambda: scipy_floor(inputs), repeat)
        plain = timed(lambda: analyse(plan, inputs, figures=False), repeat)
        boot_t = timed(lambda: analyse(boot, inputs, figures=False), repeat)
        start = time.perf_counter()
        result = analyse(plan, inputs)
        with_figures = time.perf_counter() - start
        written_s, files = write_into_workspace(Path(tmp) / "ws", result)
        small = make_runs(Path(tmp) / "small", 3, 5, 2)
        small_result = analyse(plan_for(2), small)
        small_s, small_files = write_into_workspace(Path(tmp) / "ws-small", small_result)
    print(
        f"analysis: {CONDITIONS} conditions x {SEEDS} seeds x {METRICS} metrics "
        f"({len(inputs)} files, {len(inputs) * METRICS} lines) -> {len(result.claims)} claims"
    )
    row("baseline (json parse + direct scipy calls)", floor)
    row("analyse, t CIs, no figures", plain, f"({plain / floor:.2f}x baseline)")
    row("analyse, bootstrap CIs (2,000 resamples)", boot_t, f"({boot_t / floor:.2f}x baseline)")
    row(f"analyse with {METRICS} figures (PNG+JSON+script)", with_figures)
    row("write_analysis into an ARA", written_s, f"(1 commit, {files} files)")
    row(
        "write_analysis, demo size (3 x 5 x 2)",
        small_s,
        f"(1 commit, {len(small_result.claims)} claims, {small_files} files)",
    )


def write_into_workspace(home: Path, result: object) -> tuple[float, int]:
    from researchos.app import build_app
    from researchos.settings import load_settings

    os.environ["RESEARCHOS_HOME"] = str(home)
    app = build_app(load_settings(), create=True)
    app.aras.create(title="Bench", slug="bench")
    start = time.perf_counter()
    written = write_analysis(app, "bench", result)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    app.close()
    return elapsed, len(written.written_files)


def make_paper(lines: int, n_claims: int) -> tuple[str, list[Claim]]:
    """A paper citing every claim; one line in 100 states a number 2.3% off (planted)."""
    rng = np.random.default_rng(1)
    claims = []
    for i in range(n_claims):
        value, low, high = rng.uniform(0.5, 0.99), rng.uniform(0.4, 0.5), rng.uniform(0.99, 1)
        claims.append(
            Claim(
                id=f"C{i:04d}",
                statement=f"Condition {i} reaches {value:.3f}.",
                status="supported",
                conditions={"confidence": 0.95},
                numbers=[{"value": value, "ci_low": low, "ci_high": high, "n": 50}],
            )
        )
    body = []
    for i in range(lines):
        claim = claims[i % n_claims]
        value = claim.numbers[0]
        shown = value.value * (1.023 if i % 100 == 1 else 1.0)
        if i % 10 == 9:
            body.append("")
        elif i % 25 == 0:
            body.append(f"## {i // 25}.1 Section written on 2024-05-{1 + i % 28:02d}")
        else:
            body.append(
                f"Condition {i % n_claims} gives {shown:.3f} ({value.value * 100:.1f}%, 95% CI "
                f"{value.ci_low:.2f}–{value.ci_high:.2f}, n = 50) [claim:{claim.id}]."
                + (" PLANTED" if i % 100 == 1 else "")
            )
    return "\n".join(body) + "\n", claims


def bench_alignment(repeat: int) -> None:
    text, claims = make_paper(2000, 200)
    pattern = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?%?")
    floor = timed(lambda: pattern.findall(text), repeat)
    elapsed = timed(lambda: check_alignment(text, claims), repeat)
    issues = check_alignment(text, claims)
    checked = sum(1 for line in text.splitlines() if "[claim:" in line)
    planted = sum(1 for line in text.splitlines() if "[claim:" in line and "PLANTED" in line)
    print(
        f"alignment: 2,000-line paper ({len(text) // 1024} KiB, {checked} citing lines, "
        f"200 claims) -> {len(issues)} issues for {planted} planted 2.3% errors"
    )
    row("baseline (one regex scan for numbers)", floor)
    row("check_alignment", elapsed, f"({elapsed / floor:.1f}x baseline)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    bench_analysis(args.repeat)
    bench_alignment(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
