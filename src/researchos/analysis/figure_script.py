"""Redraw a ResearchOS analysis figure from its data: python FIGURE.py [DATA.json] [OUT.png].

ResearchOS copies this file, unchanged, next to every figure it draws (evidence/figures/), and
draws the figure itself by calling ``draw`` from this same file, so the script and the figure
cannot drift apart. Without arguments it reads the .json and writes the .png that share its
name. It needs only the standard library and matplotlib.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any


def _offsets(count: int, width: float = 0.3) -> list[float]:
    """Spread per-seed points evenly (in seed order) so they do not hide each other."""
    if count <= 1:
        return [0.0] * count
    return [(k / (count - 1) - 0.5) * width for k in range(count)]


def _condition(ax: Any, x: int, item: dict[str, Any]) -> None:
    points = item["points"]
    xs = [x + dx for dx in _offsets(len(points))]
    ax.scatter(xs, [value for _, value in points], s=14, color="0.55", alpha=0.7, zorder=2)
    mean = item["mean"]
    if mean is None:
        return
    if item["ci_low"] is None:
        ax.plot([x], [mean], marker="o", color="C0", zorder=3)
        return
    yerr = [[mean - item["ci_low"]], [item["ci_high"] - mean]]
    ax.errorbar([x], [mean], yerr=yerr, fmt="o", color="C0", capsize=5, elinewidth=1.5, zorder=3)


def draw(data: dict[str, Any], out: Path | IO[bytes]) -> None:
    """Per-condition means with CI error bars, and every seed as a grey point."""
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    conditions = data["conditions"]
    with matplotlib.style.context("default"):
        fig = Figure(figsize=(max(4.0, 1.0 + 0.9 * len(conditions)), 4.0), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for x, item in enumerate(conditions):
            _condition(ax, x, item)
        labels = [item["name"] for item in conditions]
        ax.set_xticks(range(len(conditions)), labels, rotation=30 if len(labels) > 4 else 0)
        ax.set_xlim(-0.6, len(conditions) - 0.4)
        unit = f" [{data['unit']}]" if data.get("unit") else ""
        ax.set_ylabel(f"{data['ylabel']}{unit}")
        ax.set_title(data["title"], fontsize=10)
        ax.grid(axis="y", color="0.9")
        fig.tight_layout()
        fig.savefig(out, format="png", metadata={"Software": None})


def main(argv: list[str]) -> int:
    here = Path(__file__)
    source = Path(argv[0]) if argv else here.with_suffix(".json")
    out = Path(argv[1]) if len(argv) > 1 else source.with_suffix(".png")
    draw(json.loads(source.read_text("utf-8")), out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
