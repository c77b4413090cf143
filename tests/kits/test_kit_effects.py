"""The kits measure real effects where theory predicts one and none where it predicts none.

Each check runs the built experiment (2 seeds) as real subprocesses and compares per seed,
so the pipeline's statistics get both effects and null results to find. (The cases of
test_kit_experiments check three more: a large effect, a negative result and a null.)
"""

from __future__ import annotations

from pathlib import Path

from kit_harness import materialise, metric_values, restricted_spec

from researchos.kits import get_kit


def measure(
    tmp_path: Path, kit: str, idea: str, conditions: tuple[str, ...], metric: str
) -> dict[str, list[float]]:
    """``metric`` per condition, one value per seed (0 and 1)."""
    spec = restricted_spec(kit, idea, conditions)
    experiment = materialise(get_kit(kit), spec, tmp_path)
    values: dict[str, list[float]] = {}
    for condition, seed in spec.runs():
        out = tmp_path / "runs" / condition / f"seed-{seed}"
        process = experiment.run(condition, seed, out)
        assert process.returncode == 0, process.stderr
        values.setdefault(condition, []).append(metric_values(out / "metrics.jsonl")[metric])
    return values


def gaps(values: dict[str, list[float]], treated: str, baseline: str) -> list[float]:
    return [t - b for t, b in zip(values[treated], values[baseline], strict=True)]


def test_standardising_features_does_not_change_a_random_forest(tmp_path: Path) -> None:
    accuracy = measure(
        tmp_path,
        "classifier-comparison",
        "cc-forest-scaling-wine",
        ("forest-raw", "forest-scaled"),
        "accuracy",
    )
    assert all(abs(gap) < 0.02 for gap in gaps(accuracy, "forest-scaled", "forest-raw")), accuracy


def test_an_uncorrelated_control_variate_changes_nothing(tmp_path: Path) -> None:
    reduction = measure(
        tmp_path,
        "monte-carlo",
        "mc-uncorrelated-control",
        ("plain", "control"),
        "variance_reduction",
    )
    assert all(abs(value - 1.0) < 0.1 for value in reduction["control"]), reduction


def test_sobol_points_shrink_the_standard_error_of_pi(tmp_path: Path) -> None:
    error = measure(tmp_path, "monte-carlo", "mc-shootout-pi", ("plain", "sobol"), "std_error")
    assert all(s < p / 2 for s, p in zip(error["sobol"], error["plain"], strict=True)), error


def test_a_first_element_pivot_is_quadratic_on_sorted_input(tmp_path: Path) -> None:
    exponent = measure(
        tmp_path,
        "algorithm-scaling",
        "as-pivot-sorted",
        ("quick-first-sorted", "quick-random-sorted"),
        "scaling_exponent",
    )
    assert all(1.95 < value < 2.05 for value in exponent["quick-first-sorted"]), exponent
    assert all(1.0 < value < 1.4 for value in exponent["quick-random-sorted"]), exponent
