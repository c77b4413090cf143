"""Apply a plan to a metrics table: per-condition cells, tests, Holm, verdicts.

Verdicts (documented in docs/analysis.md, turned into claims by ``claims``):

- ``better``: Holm-adjusted p ≤ alpha, the difference points the declared way, and
  |effect size| ≥ the plan's minimum effect size.
- ``better_below_min_effect``: significant in the declared direction but smaller than the
  pre-registered minimum effect.
- ``worse``: significant in the opposite direction (any size).
- ``no_significant_difference``: Holm-adjusted p > alpha.
- ``untestable``: fewer than two usable values (or pairs), or no data for a condition.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from researchos.analysis import stats
from researchos.analysis.metrics import MetricsTable, Observation
from researchos.analysis.plan import AnalysisPlan, Direction
from researchos.errors import InputError

Verdict = Literal[
    "better", "better_below_min_effect", "worse", "no_significant_difference", "untestable"
]
Equivalence = Literal["within_margin", "inconclusive"]


@dataclass(frozen=True)
class Cell:
    """Every measurement of one metric under one condition."""

    condition: str
    metric: str
    unit: str | None
    observations: tuple[Observation, ...]  # seed order, non-finite ones included
    mean: float | None
    sd: float | None
    ci: tuple[float, float] | None
    ci_method: str

    @property
    def finite(self) -> list[Observation]:
        return [o for o in self.observations if o.finite]

    @property
    def n(self) -> int:
        return len(self.finite)

    @property
    def n_nonfinite(self) -> int:
        return len(self.observations) - self.n

    @property
    def values(self) -> np.ndarray:
        return np.array([o.value for o in self.finite], dtype=float)


@dataclass(frozen=True)
class ComparisonResult:
    treatment: str
    baseline: str
    metric: str
    direction: Direction
    pairing: Literal["paired", "unpaired"] | None
    test: stats.TestResult | None
    p_holm: float | None
    verdict: Verdict
    reason: str
    excluded_seeds: tuple[int, ...] = ()
    equivalence: Equivalence | None = None
    nonparametric_agrees: bool | None = None

    @property
    def improvement(self) -> float | None:
        """The difference signed so that positive means better in the declared direction."""
        if self.test is None:
            return None
        return self.test.diff if self.direction == "higher_is_better" else -self.test.diff


def rng_for(plan: AnalysisPlan, key: str) -> np.random.Generator:
    """A generator per cell/comparison: results do not depend on evaluation order."""
    stream = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return np.random.default_rng([plan.bootstrap_seed, stream])


def build_cells(table: MetricsTable, plan: AnalysisPlan) -> dict[tuple[str, str], Cell]:
    grouped: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for obs in table.observations:
        if obs.metric in plan.metrics:
            grouped[(obs.condition, obs.metric)].append(obs)
    order = condition_order(table, plan)
    keys = sorted(grouped, key=lambda k: (plan.metrics.index(k[1]), order.index(k[0])))
    return {
        key: _cell(key, sorted(grouped[key], key=lambda o: o.seed), table, plan) for key in keys
    }


def condition_order(table: MetricsTable, plan: AnalysisPlan) -> list[str]:
    """Baseline first, then conditions in order of first appearance in the inputs."""
    named = [plan.baseline] + [c.treatment for c in plan.comparisons]
    named += [c.baseline for c in plan.comparisons if c.baseline]
    return list(dict.fromkeys([plan.baseline, *table.conditions, *named]))


def _cell(
    key: tuple[str, str], observations: list[Observation], table: MetricsTable, plan: AnalysisPlan
) -> Cell:
    values = np.array([o.value for o in observations if o.finite], dtype=float)
    ci, method = _cell_ci(key, values, plan)
    return Cell(
        condition=key[0],
        metric=key[1],
        unit=table.units.get(key[1]),
        observations=tuple(observations),
        mean=float(np.mean(values)) if len(values) else None,
        sd=float(np.std(values, ddof=1)) if len(values) >= 2 else None,
        ci=ci,
        ci_method=method if ci else "none",
    )


def _cell_ci(
    key: tuple[str, str], values: np.ndarray, plan: AnalysisPlan
) -> tuple[tuple[float, float] | None, str]:
    """The cell's CI and its method, clipped to the values the metric can take."""
    low, high = plan.range_of(key[1])
    outside = [
        v for v in values if (low is not None and v < low) or (high is not None and v > high)
    ]
    if outside:
        raise InputError(
            f"metric {key[1]!r} under {key[0]!r} has the value {float(outside[0])!r} outside "
            f"its declared range [{low}, {high}]",
            field=f"analysis_plan.metric_ranges.{key[1]}",
            fix="fix the experiment's output or the plan's declared range",
        )
    if key[1] in plan.proportion_metrics:
        return stats.proportion_ci_wilson(values, plan.confidence), "wilson"
    if plan.ci_method == "bootstrap":
        rng = rng_for(plan, f"cell:{key[0]}:{key[1]}")
        ci = stats.mean_ci_bootstrap(values, plan.confidence, plan.bootstrap_resamples, rng)
    else:
        ci = stats.mean_ci_t(values, plan.confidence)
    if ci is None:
        return None, plan.ci_method
    return (
        max(ci[0], low) if low is not None else ci[0],
        min(ci[1], high) if high is not None else ci[1],
    ), plan.ci_method


def compare(
    plan: AnalysisPlan, cells: dict[tuple[str, str], Cell], conditions: list[str]
) -> list[ComparisonResult]:
    """Run every comparison of the plan, then Holm-adjust across all of them together."""
    raw = [_run(plan, cells, t, b, m) for t, b, m in plan.resolved_comparisons(conditions)]
    adjusted = stats.holm([r.test.p_value if r.test else None for r in raw])
    return [_decide(plan, r, p) for r, p in zip(raw, adjusted, strict=True)]


def _run(
    plan: AnalysisPlan, cells: dict[tuple[str, str], Cell], t: str, b: str, metric: str
) -> ComparisonResult:
    direction = plan.direction_of(metric)
    missing = [c for c in (t, b) if (c, metric) not in cells]
    if missing:
        why = f"no measurements of {metric} for condition {', '.join(missing)}"
        return ComparisonResult(t, b, metric, direction, None, None, None, "untestable", why)
    tc, bc = cells[(t, metric)], cells[(b, metric)]
    same_seeds = {o.seed for o in tc.observations} == {o.seed for o in bc.observations}
    paired = plan.pairing == "paired" or (plan.pairing == "auto" and same_seeds)
    rng = rng_for(plan, f"cmp:{t}:{b}:{metric}") if plan.ci_method == "bootstrap" else None
    resamples = plan.bootstrap_resamples if rng is not None else 0
    excluded: tuple[int, ...] = ()
    if paired:
        t_values, b_values, excluded = _pairs(tc, bc)
        test = stats.paired_test(t_values, b_values, plan.confidence, rng, resamples)
        why = "fewer than two seeds with finite values in both conditions"
    else:
        test = stats.welch_test(tc.values, bc.values, plan.confidence, rng, resamples)
        why = "fewer than two finite values in a condition"
    pairing: Literal["paired", "unpaired"] = "paired" if paired else "unpaired"
    reason = "" if test else why
    return ComparisonResult(
        t, b, metric, direction, pairing, test, None, "untestable", reason, excluded
    )


def _pairs(tc: Cell, bc: Cell) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Values aligned by seed; seeds missing or non-finite on either side are excluded."""
    t_seeds = {o.seed: o for o in tc.observations}
    b_seeds = {o.seed: o for o in bc.observations}
    union = sorted(t_seeds.keys() | b_seeds.keys())
    keep = [
        s
        for s in union
        if s in t_seeds and s in b_seeds and t_seeds[s].finite and b_seeds[s].finite
    ]
    excluded = tuple(s for s in union if s not in keep)
    return (
        np.array([t_seeds[s].value for s in keep], dtype=float),
        np.array([b_seeds[s].value for s in keep], dtype=float),
        excluded,
    )


def _decide(plan: AnalysisPlan, result: ComparisonResult, p_holm: float | None) -> ComparisonResult:
    test = result.test
    if test is None or p_holm is None:
        return result
    improvement = result.improvement or 0.0
    size = abs(test.effect_size) if test.effect_size is not None else float("inf")
    agrees = None
    if test.nonparametric_p is not None:
        agrees = (test.p_value <= plan.alpha) == (test.nonparametric_p <= plan.alpha)
    equivalence: Equivalence | None = None
    if p_holm <= plan.alpha and improvement > 0:
        verdict: Verdict = "better" if size >= plan.min_effect_size else "better_below_min_effect"
    elif p_holm <= plan.alpha and improvement < 0:
        verdict = "worse"
    else:
        verdict = "no_significant_difference"
        equivalence = _equivalence(plan, test)
    return replace(
        result,
        p_holm=p_holm,
        verdict=verdict,
        equivalence=equivalence,
        nonparametric_agrees=agrees,
    )


def _equivalence(plan: AnalysisPlan, test: stats.TestResult) -> Equivalence | None:
    """With a minimum effect declared, does the CI of the difference rule it out?"""
    if plan.min_effect_size <= 0:
        return None
    margin = plan.min_effect_size * test.scale
    low, high = test.diff_ci
    return "within_margin" if -margin < low and high < margin else "inconclusive"
