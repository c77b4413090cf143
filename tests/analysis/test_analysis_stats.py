"""The statistics, checked against scipy called directly and against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from researchos.analysis import stats

RNG = np.random.default_rng(12345)


def test_t_interval_matches_hand_computation_for_tiny_data() -> None:
    # values 1, 2, 3: mean 2, sd 1, t(0.975, df=2) = 4.302652729911275 (tables: 4.303)
    low, high = stats.mean_ci_t(np.array([1.0, 2.0, 3.0]), 0.95)
    half = 4.302652729911275 / math.sqrt(3)
    assert low == pytest.approx(2 - half, abs=1e-6)
    assert high == pytest.approx(2 + half, abs=1e-6)


def test_t_interval_matches_scipy_and_needs_two_values() -> None:
    values = RNG.normal(0.8, 0.05, size=17)
    expected = sps.t.interval(0.9, len(values) - 1, loc=values.mean(), scale=sps.sem(values))
    assert stats.mean_ci_t(values, 0.9) == pytest.approx(expected, rel=1e-12)
    assert stats.mean_ci_t(np.array([0.5]), 0.95) is None


def test_paired_test_matches_scipy_ttest_rel_and_wilcoxon() -> None:
    baseline = RNG.normal(0.80, 0.02, size=12)
    treatment = baseline + RNG.normal(0.01, 0.01, size=12)
    result = stats.paired_test(treatment, baseline, 0.95)
    reference = sps.ttest_rel(treatment, baseline)
    assert result is not None and result.test == "paired_t"
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-12)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert result.diff_ci == pytest.approx(tuple(reference.confidence_interval(0.95)), rel=1e-10)
    diffs = treatment - baseline
    assert result.effect_size == pytest.approx(diffs.mean() / diffs.std(ddof=1), rel=1e-12)
    assert result.nonparametric_p == pytest.approx(sps.wilcoxon(diffs).pvalue, rel=1e-12)


def test_effect_size_sign_follows_treatment_minus_baseline() -> None:
    baseline = RNG.normal(1.0, 0.1, size=10)
    worse = baseline - 0.3 + RNG.normal(0, 0.05, size=10)
    result = stats.paired_test(worse, baseline, 0.95)
    assert result is not None and result.diff < 0 and result.effect_size is not None
    assert result.effect_size < 0


def test_welch_test_matches_scipy_including_df_and_ci() -> None:
    a = RNG.normal(10.0, 1.0, size=9)
    b = RNG.normal(9.0, 3.0, size=14)
    result = stats.welch_test(a, b, 0.95)
    reference = sps.ttest_ind(a, b, equal_var=False)
    assert result is not None and result.test == "welch_t"
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-12)
    assert result.df == pytest.approx(reference.df, rel=1e-12)
    assert result.diff_ci == pytest.approx(tuple(reference.confidence_interval(0.95)), rel=1e-10)
    pooled = math.sqrt((8 * a.var(ddof=1) + 13 * b.var(ddof=1)) / 21)
    assert result.effect_size == pytest.approx((a.mean() - b.mean()) / pooled, rel=1e-12)
    assert result.nonparametric_p == pytest.approx(sps.mannwhitneyu(a, b).pvalue, rel=1e-12)


def test_zero_variance_is_decided_without_nan() -> None:
    same = stats.paired_test(np.array([0.5, 0.5, 0.5]), np.array([0.5, 0.5, 0.5]), 0.95)
    shifted = stats.paired_test(np.array([0.6, 0.7, 0.8]), np.array([0.5, 0.6, 0.7]), 0.95)
    assert same is not None and same.p_value == 1.0 and same.effect_size == 0.0
    assert shifted is not None and shifted.p_value == 0.0 and shifted.effect_size is None
    assert shifted.zero_variance and shifted.diff == pytest.approx(0.1)


def test_tests_refuse_too_little_data() -> None:
    assert stats.paired_test(np.array([1.0]), np.array([2.0]), 0.95) is None
    assert stats.welch_test(np.array([1.0]), np.array([2.0, 3.0]), 0.95) is None


def _classical_holm_rejections(pvalues: list[float], alpha: float) -> set[int]:
    """Holm's sequential procedure, written independently: stop at the first non-rejection."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    rejected: set[int] = set()
    for rank, i in enumerate(order):
        if pvalues[i] > alpha / (len(pvalues) - rank):
            break
        rejected.add(i)
    return rejected


def test_holm_hand_example() -> None:
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max(0.06, 0.04)
    adjusted = stats.holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_and_skips_untested_entries() -> None:
    # m = 3 tested: 0.02*3 = 0.06, 0.5*2 = 1.0, 0.6*1 = 0.6 -> carried up to 1.0
    adjusted = stats.holm([0.6, None, 0.02, 0.5])
    assert adjusted[1] is None
    assert adjusted == [pytest.approx(1.0), None, pytest.approx(0.06), pytest.approx(1.0)]


@pytest.mark.parametrize("seed", range(20))
def test_holm_is_monotone_and_agrees_with_the_sequential_procedure(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pvalues = list(rng.uniform(0, 0.08, size=int(rng.integers(1, 12))))
    adjusted = stats.holm(pvalues)
    for i, j in [(i, j) for i in range(len(pvalues)) for j in range(len(pvalues))]:
        if pvalues[i] <= pvalues[j]:
            assert adjusted[i] <= adjusted[j]  # type: ignore[operator]
    assert all(p <= a <= 1.0 for p, a in zip(pvalues, adjusted, strict=True))  # type: ignore[operator]
    for alpha in (0.01, 0.05):
        ours = {i for i, a in enumerate(adjusted) if a is not None and a <= alpha}
        assert ours == _classical_holm_rejections(pvalues, alpha)


def test_bootstrap_is_seeded_and_agrees_with_scipy() -> None:
    values = RNG.normal(5.0, 1.0, size=40)
    ours = stats.mean_ci_bootstrap(values, 0.95, 20_000, np.random.default_rng(7))
    again = stats.mean_ci_bootstrap(values, 0.95, 20_000, np.random.default_rng(7))
    other = stats.mean_ci_bootstrap(values, 0.95, 20_000, np.random.default_rng(8))
    assert ours == again and ours != other
    reference = sps.bootstrap(
        (values,),
        np.mean,
        confidence_level=0.95,
        method="percentile",
        n_resamples=20_000,
        random_state=np.random.default_rng(1),
    ).confidence_interval
    width = reference.high - reference.low
    assert ours is not None
    assert ours[0] == pytest.approx(reference.low, abs=0.05 * width)
    assert ours[1] == pytest.approx(reference.high, abs=0.05 * width)
