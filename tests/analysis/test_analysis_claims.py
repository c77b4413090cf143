"""From metrics files to claims: test selection, verdicts, Holm across the plan, evidence."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from analysis_data import number, write_lines, write_runs
from scipy import stats as sps

from researchos.analysis import AnalysisPlan, ComparisonSpec, analyse
from researchos.artifacts.models import Claim
from researchos.errors import InputError

SEEDS = 10


@pytest.fixture
def rng() -> np.random.Generator:
    """Each test draws from its own fixed stream, whatever the selection or order of tests."""
    return np.random.default_rng(2024)


def _noise(rng: np.random.Generator, scale: float = 0.01) -> np.ndarray:
    return rng.normal(0, scale, size=SEEDS)


def test_clearly_separated_conditions_give_a_supported_comparison(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    base = 0.80 + _noise(rng)
    good = base + 0.05 + _noise(rng, 0.005)
    inputs = write_runs(tmp_path, {"base": base, "good": good})
    result = analyse(AnalysisPlan(primary_metric="accuracy", baseline="base"), inputs)
    claim = result.claims[-1]
    assert (claim["kind"], claim["status"]) == ("comparison", "supported")
    assert claim["conditions"]["test"] == "paired_t"
    reference = sps.ttest_rel(good, base)
    assert number(claim, "accuracy:p[good-base]")["value"] == pytest.approx(
        reference.pvalue, rel=1e-5
    )
    diffs = good - base
    dz = number(claim, "accuracy:cohen_dz[good-base]")["value"]
    assert dz == pytest.approx(diffs.mean() / diffs.std(ddof=1), rel=1e-5) and dz > 0
    assert number(claim, "accuracy:mean[good]")["value"] == pytest.approx(good.mean(), rel=1e-5)
    assert claim["provenance"] == "ai-executed" and claim["falsification"]
    Claim.model_validate(claim)  # every claim dict is a valid ARA claim


def test_identical_conditions_give_a_supported_null_result(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    base = 0.80 + _noise(rng)
    inputs = write_runs(tmp_path, {"base": base, "copy": base.copy()})
    result = analyse(AnalysisPlan(primary_metric="accuracy", baseline="base"), inputs)
    claim = result.claims[-1]
    assert (claim["kind"], claim["status"]) == ("null_result", "supported")
    assert number(claim, "accuracy:p[copy-base]")["value"] == 1.0
    assert "do not differ significantly" in claim["statement"]


def test_significant_in_the_wrong_direction_is_refuted_and_direction_flips_it(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    base = 1.0 + _noise(rng)
    slower = base + 0.2 + _noise(rng, 0.005)
    inputs = write_runs(tmp_path, {"base": base, "slow": slower}, metric="latency")
    higher = analyse(AnalysisPlan(primary_metric="latency", baseline="base"), inputs)
    lower = analyse(
        AnalysisPlan(primary_metric="latency", baseline="base", direction="lower is better"),
        inputs,
    )
    assert (higher.claims[-1]["kind"], higher.claims[-1]["status"]) == ("comparison", "supported")
    assert (lower.claims[-1]["kind"], lower.claims[-1]["status"]) == ("comparison", "refuted")
    assert "opposite direction" in lower.claims[-1]["statement"]


def test_effect_below_the_minimum_effect_size_is_weakened(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    base = 0.8 + rng.normal(0, 0.05, size=400)
    inputs = write_runs(tmp_path, {"base": base, "new": base + 0.02 + rng.normal(0, 0.05, 400)})
    plan = AnalysisPlan(primary_metric="accuracy", baseline="base", min_effect_size=0.8)
    claim = analyse(plan, inputs, figures=False).claims[-1]
    assert claim["status"] == "weakened"
    assert abs(number(claim, "accuracy:cohen_dz[new-base]")["value"]) < 0.8


def test_unpaired_when_seeds_differ_and_paired_when_shared(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    a, b = 0.8 + _noise(rng), 0.82 + _noise(rng)
    shared = write_runs(tmp_path / "s", {"base": a, "new": b})
    apart = write_runs(
        tmp_path / "d",
        {"base": a, "new": b},
        seeds={"base": range(SEEDS), "new": range(100, 100 + SEEDS)},
    )
    plan = AnalysisPlan(primary_metric="accuracy", baseline="base")
    paired = analyse(plan, shared, figures=False).claims[-1]
    welch = analyse(plan, apart, figures=False).claims[-1]
    assert paired["conditions"]["test"] == "paired_t"
    assert welch["conditions"]["test"] == "welch_t"
    assert number(welch, "accuracy:p[new-base]")["value"] == pytest.approx(
        sps.ttest_ind(b, a, equal_var=False).pvalue, rel=1e-5
    )
    assert number(paired, "accuracy:p[new-base]")["value"] == pytest.approx(
        sps.ttest_rel(b, a).pvalue, rel=1e-5
    )


def test_holm_is_applied_across_every_comparison_of_the_plan(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    base = 0.8 + _noise(rng)
    values = {"base": base, "a": base + 0.004 + _noise(rng, 0.01), "b": base + 0.03 + _noise(rng)}
    values["c"] = base + 0.008 + _noise(rng, 0.01)
    inputs = write_runs(tmp_path, values)
    plan = AnalysisPlan(primary_metric="accuracy", baseline="base")
    claims = analyse(plan, inputs, figures=False).claims[4:]
    raw = [sps.ttest_rel(values[t], base).pvalue for t in ("a", "b", "c")]
    order = np.argsort(raw)
    expected = np.empty(3)
    running = 0.0
    for rank, i in enumerate(order):  # Holm written out for three p-values
        running = max(running, min(1.0, (3 - rank) * raw[i]))
        expected[i] = running
    got = [
        number(c, f"accuracy:p_holm[{t}-base]")["value"] for c, t in zip(claims, "abc", strict=True)
    ]
    assert got == pytest.approx(list(expected), rel=1e-5)
    assert all(c["conditions"]["family_size"] == 3 for c in claims)


def test_untestable_comparison_is_an_untested_claim_not_an_error(tmp_path: Path) -> None:
    inputs = write_runs(tmp_path, {"base": [0.8, 0.81, 0.79], "solo": [0.9]})
    plan = AnalysisPlan(
        primary_metric="accuracy",
        baseline="base",
        comparisons=[ComparisonSpec(treatment="solo"), ComparisonSpec(treatment="ghost")],
    )
    result = analyse(plan, inputs, figures=False)
    statuses = [(c["kind"], c["status"]) for c in result.claims[-2:]]
    assert statuses == [("comparison", "untested"), ("comparison", "untested")]
    assert "ghost" in result.claims[-1]["statement"]
    solo = next(c for c in result.claims if c["conditions"].get("condition") == "solo")
    assert "single_seed" in solo["flags"] and "single seed" in solo["statement"]


def test_evidence_points_at_exact_files_lines_and_runs(tmp_path: Path) -> None:
    inputs = write_runs(tmp_path, {"base": [0.8, 0.81, 0.79], "new": [0.9, 0.91, 0.89]}, mock=True)
    result = analyse(
        AnalysisPlan(primary_metric="accuracy", baseline="base"), inputs, context={"kit": "demo"}
    )
    claim = result.claims[-1]
    runs = [e for e in claim["evidence"] if e["kind"] == "run_output"]
    assert len(runs) == 6
    for ref, item in zip(runs, inputs, strict=True):
        assert ref["path"] == f"evidence/raw/{item.run_id}/metrics.jsonl"
        assert ref["sha256"] == hashlib.sha256(item.path.read_bytes()).hexdigest()
        assert (ref["locator"], ref["run_id"]) == ("L1", item.run_id)
    report_ref = next(e for e in claim["evidence"] if e["path"] == result.report_path)
    assert report_ref["sha256"] == hashlib.sha256(result.files[result.report_path]).hexdigest()
    assert report_ref["locator"] == "/comparisons/0"
    assert any(e["kind"] == "figure" for e in claim["evidence"])
    assert "MOCK" in claim["flags"] and result.report["mock"] is True
    assert claim["conditions"]["kit"] == "demo"
    assert claim["dependencies"] == [result.claims[1]["id"], result.claims[0]["id"]]


def test_same_inputs_give_the_same_id_report_and_figures(tmp_path: Path) -> None:
    inputs = write_runs(tmp_path, {"base": [0.8, 0.81, 0.79], "new": [0.9, 0.91, 0.89]})
    plan = AnalysisPlan(primary_metric="accuracy", baseline="base", ci_method="bootstrap")
    first, second = analyse(plan, inputs), analyse(plan, inputs)
    assert first.analysis_id == second.analysis_id
    assert first.files == second.files
    other = analyse(plan.model_copy(update={"bootstrap_seed": 1}), inputs)
    assert other.analysis_id != first.analysis_id


def test_bad_plans_and_context_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="itself"):
        AnalysisPlan(primary_metric="m", baseline="a", comparisons=[{"treatment": "a"}])
    with pytest.raises(ValueError):
        AnalysisPlan(primary_metric="m", baseline="a", direction="sideways")
    assert AnalysisPlan(primary_metric="m", baseline="a", direction="Lower is better").direction
    inputs = write_runs(tmp_path, {"a": [1.0, 2.0]})
    with pytest.raises(InputError, match="reserved"):
        analyse(
            AnalysisPlan(primary_metric="accuracy", baseline="a"), inputs, context={"metric": 1}
        )


def test_a_share_of_outcomes_gets_a_wilson_interval_inside_zero_one(tmp_path: Path) -> None:
    outcomes = np.array([1.0, 0.0, 0.0, 0.0, 1.0])  # 2 of 5: a t interval reaches below zero
    steps = np.array([0.0, 1.0, 0.0, 0.0, 0.0])  # a count: its t interval is clipped at zero
    inputs = [
        write_lines(
            tmp_path / f"run-{seed}" / "metrics.jsonl",
            [
                json.dumps({"condition": "base", "seed": seed, "metric": m, "value": float(v)})
                for m, v in (("solved", outcomes[seed]), ("retries", steps[seed]))
            ],
        )
        for seed in range(5)
    ]
    inputs = [replace(i, run_id=f"run-{n}") for n, i in enumerate(inputs)]
    plan = AnalysisPlan(
        primary_metric="solved",
        secondary_metrics=["retries"],
        baseline="base",
        proportion_metrics=["solved"],
        metric_ranges={"retries": (0.0, None)},
    )
    claims = {c["conditions"]["metric"]: c for c in analyse(plan, inputs).claims}
    solved = number(claims["solved"], "solved:mean[base]")
    low, high = solved["ci_low"], solved["ci_high"]
    assert claims["solved"]["conditions"]["ci_method"] == "wilson"
    assert 0.0 < low < 0.4 < high < 1.0  # type: ignore[operator]
    assert abs(low - 0.1176) < 1e-3 and abs(high - 0.7693) < 1e-3  # type: ignore[operator]
    retries = number(claims["retries"], "retries:mean[base]")
    assert retries["ci_low"] == 0.0 and retries["ci_high"] > 0.2  # type: ignore[operator]


def test_a_value_outside_the_declared_range_is_refused(tmp_path: Path) -> None:
    inputs = write_runs(tmp_path, {"base": np.array([1.0, 2.0, 0.0])}, metric="solved")
    plan = AnalysisPlan(primary_metric="solved", baseline="base", proportion_metrics=["solved"])
    with pytest.raises(InputError, match="outside its declared range"):
        analyse(plan, inputs)
    with pytest.raises(ValueError, match="not a primary or secondary metric"):
        AnalysisPlan(primary_metric="solved", baseline="base", proportion_metrics=["other"])
