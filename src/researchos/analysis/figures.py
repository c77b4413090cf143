"""Figures of an analysis: the data behind each one, the PNG, and the script that redraws it.

Each plan metric gets ``evidence/figures/<analysis>-<metric>.{png,json,py}``. The .py file is
``figure_script.py`` copied verbatim, and the PNG is drawn in-process by that same module's
``draw``, so ``python <figure>.py`` rebuilds the identical PNG from the JSON.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from researchos.analysis import figure_script
from researchos.analysis.compare import Cell
from researchos.analysis.plan import AnalysisPlan
from researchos.analysis.text import DIRECTION_WORDS, format_parameter

FIGURES_DIR = "evidence/figures"


@dataclass(frozen=True)
class Figure:
    metric: str
    stem: str  # evidence/figures/<analysis>-<metric>, without suffix
    data: dict[str, Any]

    @property
    def png_path(self) -> str:
        return f"{self.stem}.png"

    @property
    def data_path(self) -> str:
        return f"{self.stem}.json"

    @property
    def script_path(self) -> str:
        return f"{self.stem}.py"


def figure_data(plan: AnalysisPlan, metric: str, cells: list[Cell]) -> dict[str, Any]:
    level = format_parameter(round(plan.confidence * 100, 6))
    method = "bootstrap" if plan.ci_method == "bootstrap" else "t"
    if metric in plan.proportion_metrics:
        method = "Wilson"
    return {
        "format_version": 1,
        "title": f"mean with {level}% CI ({method})\ngrey dots: individual seeds",
        "ylabel": f"{metric} ({DIRECTION_WORDS[plan.direction_of(metric)]})",
        "metric": metric,
        "unit": cells[0].unit if cells else None,
        "direction": plan.direction_of(metric),
        "conditions": [
            {
                "name": cell.condition,
                "n": cell.n,
                "nonfinite": cell.n_nonfinite,
                "mean": cell.mean,
                "ci_low": cell.ci[0] if cell.ci else None,
                "ci_high": cell.ci[1] if cell.ci else None,
                "points": [[o.seed, o.value] for o in cell.finite],
            }
            for cell in cells
        ],
    }


def plan_figures(
    analysis_id: str, plan: AnalysisPlan, cells: dict[tuple[str, str], Cell]
) -> list[Figure]:
    figures: list[Figure] = []
    used: set[str] = set()
    for metric in plan.metrics:
        metric_cells = [cell for (_, m), cell in cells.items() if m == metric]
        if not metric_cells:
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", metric.lower()).strip("-")[:40] or "metric"
        stem = f"{FIGURES_DIR}/{analysis_id}-{slug}"
        if stem in used:
            stem = f"{stem}-{len(used) + 1}"
        used.add(stem)
        figures.append(Figure(metric, stem, figure_data(plan, metric, metric_cells)))
    return figures


def data_bytes(figure: Figure) -> bytes:
    return (json.dumps(figure.data, indent=1, allow_nan=False) + "\n").encode("utf-8")


def script_bytes() -> bytes:
    return Path(figure_script.__file__).read_bytes()


def render_png(figure: Figure) -> bytes:
    """Draw from the serialised data, exactly as the script will."""
    buffer = io.BytesIO()
    figure_script.draw(json.loads(data_bytes(figure)), buffer)
    return buffer.getvalue()
