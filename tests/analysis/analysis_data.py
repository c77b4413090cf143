"""Metrics files for the analysis tests, written the way experiment code writes them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from researchos.analysis import MetricsInput


def write_runs(
    directory: Path,
    values: Mapping[str, Iterable[float]],
    *,
    metric: str = "accuracy",
    seeds: Mapping[str, Iterable[int]] | None = None,
    mock: bool = False,
) -> list[MetricsInput]:
    """One metrics.jsonl per (condition, seed) run, as the run contract prescribes."""
    inputs = []
    for condition, series in values.items():
        chosen = list(seeds[condition]) if seeds else None
        for i, value in enumerate(series):
            seed = chosen[i] if chosen else i
            run_id = f"run-{condition}-{seed}"
            path = directory / run_id / "metrics.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            line = {"condition": condition, "seed": seed, "metric": metric, "value": value}
            path.write_text(json.dumps(line) + "\n", "utf-8")
            inputs.append(MetricsInput(run_id=run_id, path=path, mock=mock))
    return inputs


def write_lines(path: Path, lines: Iterable[str]) -> MetricsInput:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), "utf-8")
    return MetricsInput(run_id="run-x", path=path)


def number(claim: Mapping[str, object], name: str) -> Mapping[str, object]:
    """The NumberValue dict of ``claim`` whose metric field is ``name``."""
    numbers = claim["numbers"]
    assert isinstance(numbers, list)
    found = [n for n in numbers if n["metric"] == name]
    assert found, f"{name} not in {[n['metric'] for n in numbers]}"
    return found[0]
