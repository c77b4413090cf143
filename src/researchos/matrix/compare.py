"""Compare two matrices: per (fixture, condition, agent) and metric, B − A with a CI.

Cells match by fixture, condition, agent and repeat; matched repeats are paired (the scripted
agents and the seeds make a repeat the same trial in both matrices), unmatched ones fall back
to Welch's test. A **regression** is a clear change (CI excludes zero) in the worse
direction; a worse change whose CI includes zero is listed as possible. Cells whose success
flipped are listed one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from researchos.matrix.metrics import METRICS, GroupKey, difference, group_cells


def _flips(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    before = {(c["fixture"], c["condition"], c["agent"], c["repeat"]): c for c in a if c["metrics"]}
    flips = []
    for cell in b:
        key = (cell["fixture"], cell["condition"], cell["agent"], cell["repeat"])
        old = before.get(key)
        if old is None or not cell["metrics"]:
            continue
        was, now = old["metrics"]["success"], cell["metrics"]["success"]
        if was != now:
            flips.append({"cell": cell["cell"], "success_before": was, "success_after": now})
    return flips


def compare_cells(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    groups_a, groups_b = group_cells(a), group_cells(b)
    shared: list[GroupKey] = sorted(set(groups_a) & set(groups_b))
    rows = []
    for key in shared:
        for metric in METRICS:
            found = difference(
                metric,
                {c["repeat"]: c["metrics"][metric] for c in groups_b[key]},
                {c["repeat"]: c["metrics"][metric] for c in groups_a[key]},
            )
            if found is not None:
                fixture, condition, agent = key
                rows.append({"fixture": fixture, "condition": condition, "agent": agent, **found})
    return {
        "matched_groups": len(shared),
        "only_in_a": ["/".join(k) for k in sorted(set(groups_a) - set(groups_b))],
        "only_in_b": ["/".join(k) for k in sorted(set(groups_b) - set(groups_a))],
        "differences": rows,
        "regressions": [r for r in rows if r["clear"] and r["direction"] == "worse"],
        "possible_regressions": [r for r in rows if not r["clear"] and r["direction"] == "worse"],
        "improvements": [r for r in rows if r["clear"] and r["direction"] == "better"],
        "success_flips": _flips(a, b),
    }
