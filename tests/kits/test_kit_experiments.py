"""Each built-in kit end to end: build + review, then real runs as Python subprocesses.

Per kit: 2 conditions × 2 seeds run directly, the same 4 again through reproduce.sh, the
reviewer's pytest file, and a run with an unknown condition.
"""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from kit_harness import (
    Experiment,
    child_env,
    materialise,
    metric_values,
    read_metrics,
    restricted_spec,
)

from researchos.kits import get_kit
from researchos.kits.environment import read_environment_lock


def scaling_helps_knn(values: dict[str, list[float]]) -> bool:
    gains = [s - r for s, r in zip(values["knn-scaled"], values["knn-raw"], strict=True)]
    return all(gain > 0.15 for gain in gains)


def antithetic_doubles_variance(values: dict[str, list[float]]) -> bool:
    return all(0.4 < v < 0.6 for v in values["antithetic"]) and all(
        0.9 < v < 1.1 for v in values["plain"]
    )


def input_order_is_irrelevant(values: dict[str, list[float]]) -> bool:
    return all(abs(s - r) < 0.1 for s, r in zip(values["sorted"], values["random"], strict=True))


# what theory predicts for each case: a large effect, a negative result, a null result
EXPECTED = {
    "classifier-comparison": ("accuracy", scaling_helps_knn),
    "monte-carlo": ("variance_reduction", antithetic_doubles_variance),
    "algorithm-scaling": ("scaling_exponent", input_order_is_irrelevant),
}
CASES = {
    "classifier-comparison": ("cc-scaling-knn-wine", ("knn-raw", "knn-scaled"), "folds.csv"),
    "monte-carlo": ("mc-antithetic-symmetric", ("plain", "antithetic"), "estimate.csv"),
    "algorithm-scaling": ("as-random-pivot-order", ("random", "sorted"), "sizes.csv"),
}


@dataclass
class Outcome:
    experiment: Experiment
    direct: Path
    reproduced: Path
    processes: dict[tuple[str, int], subprocess.CompletedProcess[str]]
    reproduction: subprocess.CompletedProcess[str]
    extra_file: str


@pytest.fixture(scope="module", params=sorted(CASES))
def outcome(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    idea_id, conditions, extra_file = CASES[request.param]
    spec = restricted_spec(request.param, idea_id, conditions)
    root = tmp_path_factory.mktemp(request.param)
    experiment = materialise(get_kit(request.param), spec, root)
    direct = root / "runs"
    processes = {
        (condition, seed): experiment.run(condition, seed, direct / condition / f"seed-{seed}")
        for condition, seed in spec.runs()
    }
    reproduction = experiment.reproduce(root / "reproduced")
    timings = ", ".join(f"{t:.2f}s" for t in experiment.timings)
    print(f"\n{request.param}: per-run wall time {timings}")
    return Outcome(experiment, direct, root / "reproduced", processes, reproduction, extra_file)


def test_every_run_follows_the_contract(outcome: Outcome) -> None:
    spec = outcome.experiment.spec
    for (condition, seed), process in outcome.processes.items():
        assert process.returncode == 0, process.stderr
        run_dir = outcome.direct / condition / f"seed-{seed}"
        records = read_metrics(run_dir / "metrics.jsonl")
        for record in records:
            assert set(record) == {"condition", "seed", "metric", "value"}
            assert (record["condition"], record["seed"]) == (condition, seed)
            assert isinstance(record["value"], float) and math.isfinite(record["value"])
        assert sorted(str(r["metric"]) for r in records) == sorted(spec.metrics)
        assert (run_dir / outcome.extra_file).is_file()
        assert sorted(p.name for p in run_dir.iterdir()) == sorted(
            ["metrics.jsonl", outcome.extra_file]
        )


def test_the_same_seed_gives_identical_numbers(outcome: Outcome) -> None:
    """reproduce.sh re-runs every seed in a fresh process: the files must be byte-identical."""
    for condition, seed in outcome.experiment.spec.runs():
        relative = Path(condition, f"seed-{seed}")
        for name in ("metrics.jsonl", outcome.extra_file):
            first = (outcome.direct / relative / name).read_bytes()
            assert first == (outcome.reproduced / relative / name).read_bytes(), relative / name


def test_the_measured_difference_matches_theory(outcome: Outcome) -> None:
    metric, holds = EXPECTED[outcome.experiment.kit.name]
    values = {
        name: [
            metric_values(outcome.direct / name / f"seed-{seed}" / "metrics.jsonl")[metric]
            for seed in outcome.experiment.spec.seeds
        ]
        for name in outcome.experiment.spec.condition_names
    }
    assert holds(values), values


def test_different_seeds_give_different_samples(outcome: Outcome) -> None:
    spec = outcome.experiment.spec
    differs = [
        metric_values(outcome.direct / name / "seed-0" / "metrics.jsonl")
        != metric_values(outcome.direct / name / "seed-1" / "metrics.jsonl")
        for name in spec.condition_names
    ]
    assert any(differs), "the seed changes nothing: it is not wired into the experiment"


def test_reproduce_sh_reruns_every_condition_and_seed(outcome: Outcome) -> None:
    spec = outcome.experiment.spec
    assert outcome.reproduction.returncode == 0, outcome.reproduction.stderr
    assert f"all {len(spec.runs())} run(s) written" in outcome.reproduction.stderr
    layout = sorted(
        str(p.relative_to(outcome.reproduced)) for p in outcome.reproduced.rglob("*.jsonl")
    )
    assert layout == sorted(f"{c}/seed-{s}/metrics.jsonl" for c, s in spec.runs())
    for condition, seed in spec.runs():
        recorded = metric_values(outcome.direct / condition / f"seed-{seed}" / "metrics.jsonl")
        rerun = metric_values(outcome.reproduced / condition / f"seed-{seed}" / "metrics.jsonl")
        assert recorded.keys() == rerun.keys()
        assert all(spec.tolerance.close(recorded[k], rerun[k]) for k in recorded)


def test_the_reviewers_tests_pass(outcome: Outcome) -> None:
    src = outcome.experiment.code / "src"
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=src,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert "6 passed" in process.stdout


def test_an_unknown_condition_fails_with_a_clear_message(outcome: Outcome, tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = outcome.experiment.run("no-such-arm", 0, out)
    assert process.returncode == 2
    known = ", ".join(sorted(outcome.experiment.spec.condition_names))
    assert process.stderr.strip() == (
        f"error: unknown condition 'no-such-arm' in RESEARCHOS_CONDITION; known conditions: {known}"
    )
    assert not (out / "metrics.jsonl").exists()


def test_the_lock_pins_the_interpreter_and_imported_packages(outcome: Outcome) -> None:
    lock = read_environment_lock(
        (outcome.experiment.code / "environment.lock").read_text(encoding="utf-8")
    )
    assert lock.python == ".".join(str(part) for part in sys.version_info[:3])
    pinned = {pin.name: pin for pin in lock.pins}
    for name in outcome.experiment.kit.requirements:  # type: ignore[attr-defined]
        from importlib.metadata import version

        assert pinned[name].version == version(name)
        assert pinned[name].record_sha256 is not None and len(pinned[name].record_sha256) == 64
    assert "pytest" in pinned  # the reviewer's tests import it
