"""Policy candidates: conditions (interventions such as a brief) that moved a metric.

For each fixture and agent, every condition is compared with the baseline condition (the
first one of the experiment), paired on the repeats. A candidate is a clear change (the CI of
the difference excludes zero) in the better direction; a clear change in the worse direction
is listed as a harm. Candidates are proposals for a person: nothing here changes a policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from researchos.matrix.metrics import METRICS, difference, group_cells


def condition_effects(cells: Iterable[Mapping[str, Any]], *, baseline: str) -> list[dict[str, Any]]:
    """Every (fixture, agent, condition != baseline, metric) difference with its CI."""
    groups = group_cells(cells)
    effects = []
    for (fixture, condition, agent), members in sorted(groups.items()):
        base = groups.get((fixture, baseline, agent))
        if condition == baseline or base is None:
            continue
        for metric in METRICS:
            found = difference(
                metric,
                {c["repeat"]: c["metrics"][metric] for c in members},
                {c["repeat"]: c["metrics"][metric] for c in base},
            )
            if found is not None:
                effects.append(
                    {
                        "fixture": fixture,
                        "agent": agent,
                        "intervention": condition,
                        "baseline": baseline,
                        **found,
                    }
                )
    return effects


def policy_candidates(
    cells: Iterable[Mapping[str, Any]], *, baseline: str
) -> dict[str, list[dict[str, Any]]]:
    effects = condition_effects(cells, baseline=baseline)
    return {
        "candidates": [e for e in effects if e["clear"] and e["direction"] == "better"],
        "harms": [e for e in effects if e["clear"] and e["direction"] == "worse"],
    }
