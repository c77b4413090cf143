"""Seal L1 on one ARA with 10,000 claims (goal: under 2 s), and Seal L3 on a real kit ARA.

L1: the ARA of bench_validate.py (claims with numbers, evidence to a shared metrics file,
dependencies) plus code/reproduce.sh and code/environment.lock, committed in a fresh
workspace. Baseline, measured in the same run: ``validate_ara`` alone (the schema pass L1
builds on). Figures: the L1 checks alone, and ``app.seal.seal(levels=[1])`` end to end
(checks + ara.yaml + review packet + one commit + store rows).

L3: the monte-carlo kit ARA of the tests (2 conditions x 3 seeds, one sandboxed run recorded
under evidence/raw/runs/). Baseline: ``reproduce.sh`` run directly on the host (no sandbox).
Usage: python bench/bench_seal.py [--claims 10000] [--repeat 5] [--skip-l3]
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

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests" / "seal")]

from bench_validate import build  # noqa: E402

from researchos.app import App, build_app  # noqa: E402
from researchos.artifacts.validate import validate_ara  # noqa: E402
from researchos.seal.context import SealContext  # noqa: E402
from researchos.seal.policy import load_seal_policy  # noqa: E402
from researchos.seal.service import run_level  # noqa: E402
from researchos.settings import load_settings  # noqa: E402

LOCK = "# ResearchOS environment.lock v1\n# python: 3.11.7\nnumpy==2.1.0\n"


def timed(*functions: Callable[[], object], repeat: int) -> list[tuple[float, float]]:
    """Median and best of each function; rounds interleave them so load drift hits all alike."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for index, function in enumerate(functions):
            started = time.perf_counter()
            function()
            times[index].append(time.perf_counter() - started)
    return [(statistics.median(t), min(t)) for t in times]


def workspace(root: Path) -> App:
    for key in [k for k in os.environ if k.startswith(("RESEARCHOS_", "OPENAI_", "ANTHROPIC_"))]:
        del os.environ[key]
    return build_app(load_settings(), home=root / "ws", create=True)


def l1_bench(app: App, claims: int, repeat: int) -> None:
    root = app.workspace.ara_path("bench-ara")
    started = time.perf_counter()
    build(root, claims)
    (root / "code").mkdir()
    (root / "code/reproduce.sh").write_text("#!/usr/bin/env bash\necho reproduce\n")
    (root / "code/reproduce.sh").chmod(0o755)
    (root / "code/environment.lock").write_text(LOCK)
    app.workspace.git.run("add", "ara")
    app.workspace.git.run("commit", "-qm", "bench ARA")
    print(f"built and committed {claims} claims in {time.perf_counter() - started:.1f} s")

    def checks() -> None:
        ctx = SealContext(
            app, "bench-ara", app.aras.paths("bench-ara"), load_seal_policy(app.workspace)
        )
        result = run_level(ctx, 1)
        assert result.passed, result.findings[:3]

    (base, base_best), (ours, ours_best), (full, full_best) = timed(
        lambda: validate_ara(root),
        checks,
        lambda: app.seal.seal("bench-ara", levels=[1]),
        repeat=repeat,
    )
    print(f"validate_ara (baseline):        median {base:.2f} s, best {base_best:.2f} s")
    print(
        f"Seal L1 checks:                 median {ours:.2f} s, best {ours_best:.2f} s "
        f"({ours / base:.2f}x baseline; goal < 2 s)"
    )
    print(f"seal --level 1 end to end:      median {full:.2f} s, best {full_best:.2f} s")


def l3_bench(app: App, repeat: int) -> None:
    from kit_ara import build_kit_ara

    ara = build_kit_ara(app)
    code = ara.root / "code"

    def direct() -> None:
        out = Path(tempfile.mkdtemp())
        try:
            env = {k: v for k, v in os.environ.items() if not k.startswith("RESEARCHOS_")}
            subprocess.run(
                [str(code / "reproduce.sh"), str(out)],
                env={**env, "PYTHON": sys.executable},
                check=True,
                capture_output=True,
            )
        finally:
            shutil.rmtree(out)

    def seal_l3() -> None:
        report = app.seal.seal(ara.slug, levels=[3])
        assert report.passed, report.level(3).findings if report.level(3) else None

    (base, base_best), (ours, ours_best) = timed(direct, seal_l3, repeat=repeat)
    runs = len(ara.spec.runs())
    print(
        f"reproduce.sh on the host ({runs} runs, baseline): "
        f"median {base:.2f} s, best {base_best:.2f} s"
    )
    print(
        f"Seal L3 (bwrap run + diff + seeds + record): median {ours:.2f} s, best {ours_best:.2f} s "
        f"({ours / base:.2f}x baseline)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-l3", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = workspace(Path(tmp))
        try:
            l1_bench(app, args.claims, args.repeat)
            if not args.skip_l3:
                l3_bench(app, args.repeat)
        finally:
            app.close()


if __name__ == "__main__":
    main()
