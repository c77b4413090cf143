"""Per-run metrics of a matrix cell, and their aggregates with confidence intervals.

Per run (one cell):

- ``success``: the oracle (pristine tests plus hidden ones, forbidden paths restored) passed;
- ``compliance``: the share of the six protocol checks the agent's recorded run passes
  (``agentruns.protocol``); 0 when it recorded no run;
- ``clean_pass``: success with no failing verification first (the first test run the wrapper
  logged passed, or none ran);
- ``churn``: failing test runs before the final pass (all failing runs when none passed);
- ``forbidden_edits``: files created, changed or deleted under a forbidden path.

Aggregates per (fixture, condition, agent): binary metrics get a Wilson score interval (exact
enough at small n, never outside [0, 1]); the others a t interval of the mean, clipped to
the metric's range (compliance in [0, 1], counts at least 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from researchos.analysis.stats import mean_ci_t, paired_test, proportion_ci_wilson, welch_test

METRICS = ("success", "compliance", "clean_pass", "churn", "forbidden_edits")
BINARY = frozenset({"success", "clean_pass"})
HIGHER_IS_BETTER = frozenset({"success", "compliance", "clean_pass"})
# the values the other metrics can take (None: unbounded); t intervals are clipped to them
RANGES: dict[str, tuple[float, float | None]] = {
    "compliance": (0.0, 1.0),
    "churn": (0.0, None),
    "forbidden_edits": (0.0, None),
}
CONFIDENCE = 0.95


def cell_metrics(
    *,
    oracle_passed: bool,
    test_log: Sequence[Mapping[str, Any]],
    forbidden_edits: int,
    compliance: float | None,
) -> dict[str, float]:
    outcomes = [bool(entry.get("passed")) for entry in test_log]
    last_pass = max((i for i, ok in enumerate(outcomes) if ok), default=None)
    before = outcomes if last_pass is None else outcomes[:last_pass]
    return {
        "success": float(oracle_passed),
        "compliance": round(compliance or 0.0, 6),
        "clean_pass": float(oracle_passed and (not outcomes or outcomes[0])),
        "churn": float(sum(1 for ok in before if not ok)),
        "forbidden_edits": float(forbidden_edits),
    }


@dataclass(frozen=True)
class Summary:
    metric: str
    n: int
    mean: float
    ci: tuple[float, float] | None
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "n": self.n,
            "mean": round(self.mean, 6),
            "ci_low": None if self.ci is None else round(self.ci[0], 6),
            "ci_high": None if self.ci is None else round(self.ci[1], 6),
            "method": self.method,
        }


def summarise(metric: str, values: Sequence[float]) -> Summary:
    n = len(values)
    mean = float(np.mean(values)) if n else float("nan")
    if metric in BINARY:
        ci = proportion_ci_wilson(np.asarray(values, dtype=float), CONFIDENCE)
        return Summary(metric, n, mean, ci or (0.0, 1.0), "wilson")
    ci = mean_ci_t(np.asarray(values, dtype=float), CONFIDENCE)
    if ci is not None:  # clipped to the metric's range: a count is never below zero
        low, high = RANGES[metric]
        ci = (max(ci[0], low), ci[1] if high is None else min(ci[1], high))
    return Summary(metric, n, mean, ci, "t")


GroupKey = tuple[str, str, str]  # fixture, condition, agent


def group_cells(cells: Iterable[Mapping[str, Any]]) -> dict[GroupKey, list[Mapping[str, Any]]]:
    groups: dict[GroupKey, list[Mapping[str, Any]]] = {}
    for cell in cells:
        if cell["status"] == "finished":
            groups.setdefault((cell["fixture"], cell["condition"], cell["agent"]), []).append(cell)
    return groups


def aggregate(cells: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per (fixture, condition, agent) with every metric's mean and CI."""
    rows = []
    for (fixture, condition, agent), members in sorted(group_cells(cells).items()):
        rows.append(
            {
                "fixture": fixture,
                "condition": condition,
                "agent": agent,
                "n": len(members),
                "metrics": {
                    m: summarise(m, [c["metrics"][m] for c in members]).to_dict() for m in METRICS
                },
            }
        )
    return rows


def difference(
    metric: str, treatment: Mapping[int, float], baseline: Mapping[int, float]
) -> dict[str, Any] | None:
    """treatment − baseline, paired on the repeats both have (Welch when none match)."""
    shared = sorted(set(treatment) & set(baseline))
    if len(shared) >= 2:
        result = paired_test(
            np.array([treatment[k] for k in shared]),
            np.array([baseline[k] for k in shared]),
            CONFIDENCE,
        )
    else:
        result = welch_test(
            np.array(list(treatment.values())), np.array(list(baseline.values())), CONFIDENCE
        )
    if result is None:
        return None
    better = result.diff > 0 if metric in HIGHER_IS_BETTER else result.diff < 0
    low, high = result.diff_ci
    excludes_zero = low > 0 or high < 0
    return {
        "metric": metric,
        "test": result.test,
        "n": result.n_treatment,
        "diff": round(result.diff, 6),
        "ci_low": round(low, 6),
        "ci_high": round(high, 6),
        "p": round(result.p_value, 6),
        "direction": "better" if better else ("worse" if result.diff != 0 else "same"),
        "clear": excludes_zero,
    }
