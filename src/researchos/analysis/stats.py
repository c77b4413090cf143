"""The statistics, as plain functions over numpy arrays (no I/O, no plan, no claims).

- ``mean_ci_t``: mean ± t_{(1+c)/2, n-1} · s/√n (needs n ≥ 2).
- ``mean_ci_bootstrap``: percentile bootstrap of the mean with a caller-seeded generator.
- ``proportion_ci_wilson``: Wilson score interval of a share of 0/1 outcomes (never outside
  [0, 1], sensible at small n and at 0 or n successes, where a t interval collapses).
- ``paired_test``: paired t-test on treatment − baseline, Cohen's dz = mean(diff)/sd(diff),
  Wilcoxon signed-rank p as the non-parametric check.
- ``welch_test``: Welch's unequal-variance t-test, Welch–Satterthwaite CI of the difference,
  Cohen's d over the pooled SD, Mann–Whitney U p as the non-parametric check.
- ``holm``: Holm–Bonferroni step-down adjusted p-values.

Effect sizes and differences are signed as treatment − baseline. Zero-variance data (e.g. a
deterministic experiment) get p = 1 when the difference is zero and p = 0 otherwise, with the
standardised effect left undefined (None) rather than ±inf. "Zero" means below 1e-12 of the
data's magnitude: constant differences computed in floating point carry rounding noise.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy import stats

TestName = Literal["paired_t", "welch_t"]


@dataclass(frozen=True)
class TestResult:
    test: TestName
    n_treatment: int
    n_baseline: int
    diff: float  # mean(treatment) - mean(baseline), or mean of paired differences
    diff_ci: tuple[float, float]
    statistic: float | None  # None when undefined (zero variance)
    df: float | None
    p_value: float
    effect_size: float | None  # Cohen's dz (paired) or d (Welch); None when undefined
    effect_kind: Literal["cohen_dz", "cohen_d"]
    nonparametric: Literal["wilcoxon", "mannwhitney"]
    nonparametric_p: float | None
    scale: float  # the standardiser: SD of the differences (paired) or pooled SD (Welch)
    zero_variance: bool = False


def mean_ci_t(values: np.ndarray, confidence: float) -> tuple[float, float] | None:
    n = len(values)
    if n < 2:
        return None
    mean = float(np.mean(values))
    half = _t_crit(confidence, n - 1) * float(np.std(values, ddof=1)) / math.sqrt(n)
    return mean - half, mean + half


def proportion_ci_wilson(values: np.ndarray, confidence: float) -> tuple[float, float] | None:
    """Wilson score interval of mean(values) for outcomes in [0, 1] (None without data)."""
    n = len(values)
    if n == 0:
        return None
    z = float(stats.norm.ppf((1 + confidence) / 2))
    p = float(np.mean(values))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # the interval always holds p; the clamp keeps rounding at p = 0 or 1 from crossing it
    return min(max(0.0, centre - half), p), max(min(1.0, centre + half), p)


def mean_ci_bootstrap(
    values: np.ndarray, confidence: float, resamples: int, rng: np.random.Generator
) -> tuple[float, float] | None:
    if len(values) < 2:
        return None
    means = _bootstrap_means(values, resamples, rng)
    return _percentiles(means, confidence)


def _bootstrap_means(values: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(resamples)
    chunk = max(1, 2_000_000 // len(values))  # bounds memory at ~16 MB of indices
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        idx = rng.integers(0, len(values), size=(size, len(values)))
        out[start : start + size] = values[idx].mean(axis=1)
    return out


def _percentiles(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def _t_crit(confidence: float, df: float) -> float:
    return float(stats.t.ppf((1 + confidence) / 2, df))


def _constant(
    test: TestName,
    sizes: tuple[int, int],
    diff: float,
    df: float | None,
    nonparametric: tuple[Literal["wilcoxon", "mannwhitney"], float | None],
) -> TestResult:
    """The result when there is no spread: decided by whether the difference is zero."""
    zero = diff == 0.0
    return TestResult(
        test=test,
        n_treatment=sizes[0],
        n_baseline=sizes[1],
        diff=diff,
        diff_ci=(diff, diff),
        statistic=None,
        df=df,
        p_value=1.0 if zero else 0.0,
        effect_size=0.0 if zero else None,
        effect_kind="cohen_dz" if test == "paired_t" else "cohen_d",
        nonparametric=nonparametric[0],
        nonparametric_p=nonparametric[1],
        scale=0.0,
        zero_variance=True,
    )


def paired_test(
    treatment: np.ndarray,
    baseline: np.ndarray,
    confidence: float,
    rng: np.random.Generator | None = None,
    resamples: int = 0,
) -> TestResult | None:
    """Paired t-test over aligned arrays; None with fewer than two pairs."""
    diffs = treatment - baseline
    n = len(diffs)
    if n < 2:
        return None
    mean, sd = float(np.mean(diffs)), float(np.std(diffs, ddof=1))
    noise = _noise_floor(treatment, baseline)
    mean = 0.0 if abs(mean) <= noise else mean
    constant = _constant("paired_t", (n, n), mean, n - 1, ("wilcoxon", _wilcoxon_p(diffs)))
    if sd <= noise:
        return constant
    result = stats.ttest_rel(treatment, baseline)
    if rng is not None and resamples:
        ci = _percentiles(_bootstrap_means(diffs, resamples, rng), confidence)
    else:
        half = _t_crit(confidence, n - 1) * sd / math.sqrt(n)
        ci = (mean - half, mean + half)
    return replace(
        constant,
        diff_ci=ci,
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        effect_size=mean / sd,
        scale=sd,
        zero_variance=False,
    )


def welch_test(
    treatment: np.ndarray,
    baseline: np.ndarray,
    confidence: float,
    rng: np.random.Generator | None = None,
    resamples: int = 0,
) -> TestResult | None:
    """Welch's t-test; None unless both groups have at least two values."""
    n1, n2 = len(treatment), len(baseline)
    if n1 < 2 or n2 < 2:
        return None
    v1, v2 = float(np.var(treatment, ddof=1)), float(np.var(baseline, ddof=1))
    diff = float(np.mean(treatment)) - float(np.mean(baseline))
    noise = _noise_floor(treatment, baseline)
    diff = 0.0 if abs(diff) <= noise else diff
    np_p = _mannwhitney_p(treatment, baseline)
    constant = _constant("welch_t", (n1, n2), diff, None, ("mannwhitney", np_p))
    if math.sqrt(v1) <= noise and math.sqrt(v2) <= noise:
        return constant
    result = stats.ttest_ind(treatment, baseline, equal_var=False)
    se2 = v1 / n1 + v2 / n2
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    if rng is not None and resamples:
        boot = _bootstrap_means(treatment, resamples, rng)
        ci = _percentiles(boot - _bootstrap_means(baseline, resamples, rng), confidence)
    else:
        half = _t_crit(confidence, df) * math.sqrt(se2)
        ci = (diff - half, diff + half)
    pooled = math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
    return replace(
        constant,
        diff_ci=ci,
        statistic=float(result.statistic),
        df=float(df),
        p_value=float(result.pvalue),
        effect_size=diff / pooled,
        scale=pooled,
        zero_variance=False,
    )


def _noise_floor(a: np.ndarray, b: np.ndarray) -> float:
    """Spreads below this are floating-point rounding, not variation (0.7 - 0.6 != 0.1)."""
    return 1e-12 * max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-300)


def _wilcoxon_p(diffs: np.ndarray) -> float | None:
    if not np.any(diffs != 0.0):
        return 1.0  # no signed ranks at all: nothing to reject
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample and tie warnings are expected here
        try:
            return _finite_or_none(float(stats.wilcoxon(diffs).pvalue))
        except ValueError:
            return None


def _mannwhitney_p(a: np.ndarray, b: np.ndarray) -> float | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _finite_or_none(float(stats.mannwhitneyu(a, b).pvalue))
        except ValueError:
            return None


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm step-down adjusted p-values; None entries (untested) are not in the family."""
    tested = [i for i, p in enumerate(pvalues) if p is not None and not math.isnan(p)]
    order = sorted(tested, key=lambda i: (pvalues[i], i))
    m = len(order)
    adjusted: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, i in enumerate(order):
        p = pvalues[i]
        assert p is not None
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted
