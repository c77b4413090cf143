"""The matrix report: Markdown with one figure per metric, under ``var/matrices/<id>/``."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from researchos.files import write_atomic
from researchos.matrix.metrics import BINARY, METRICS

if TYPE_CHECKING:
    from researchos.matrix.service import MatrixService

MEANING = {
    "success": "the oracle passed (pristine + hidden tests, forbidden paths restored)",
    "compliance": "share of the six protocol checks the recorded run passed",
    "clean_pass": "success with no failing test run before the first passing one",
    "churn": "failing test runs before the final pass",
    "forbidden_edits": "files changed under a forbidden path",
}


def _ci(summary: dict[str, Any]) -> str:
    if summary["ci_low"] is None:
        return "n/a"
    return f"[{summary['ci_low']:.2f}, {summary['ci_high']:.2f}]"


def figure_png(groups: list[dict[str, Any]], metric: str) -> bytes:
    """Grouped bars (one per agent) for each fixture/condition, with CI error bars."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    keys = list(dict.fromkeys((g["fixture"], g["condition"]) for g in groups))
    agents = list(dict.fromkeys(g["agent"] for g in groups))
    figure = Figure(figsize=(max(4.0, 1.6 * len(keys) + 1.5), 3.2), dpi=100)
    ax = figure.add_subplot()
    width = 0.8 / max(1, len(agents))
    for index, agent in enumerate(agents):
        xs, means, lows, highs = [], [], [], []
        for x, key in enumerate(keys):
            row = next(
                (
                    g
                    for g in groups
                    if (g["fixture"], g["condition"]) == key and g["agent"] == agent
                ),
                None,
            )
            if row is None:
                continue
            s = row["metrics"][metric]
            xs.append(x + (index - (len(agents) - 1) / 2) * width)
            means.append(s["mean"])
            lows.append(s["mean"] - (s["ci_low"] if s["ci_low"] is not None else s["mean"]))
            highs.append((s["ci_high"] if s["ci_high"] is not None else s["mean"]) - s["mean"])
        ax.bar(xs, means, width, yerr=[lows, highs], capsize=3, label=agent)
    ax.set_xticks(range(len(keys)), [f"{f}\n{c}" for f, c in keys], fontsize=8)
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} (mean, 95% CI)", fontsize=10)
    if metric in BINARY or metric == "compliance":
        ax.set_ylim(0, 1.05)
    else:  # counts: never below zero, and a visible axis when every value is zero
        ax.set_ylim(0, max(1.0, ax.get_ylim()[1]))
    ax.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _results_table(groups: list[dict[str, Any]]) -> list[str]:
    lines = ["| fixture | condition | agent | n | " + " | ".join(METRICS) + " |"]
    lines.append("|" + "---|" * (4 + len(METRICS)))
    for g in groups:
        cells = [f"{g['metrics'][m]['mean']:.2f} {_ci(g['metrics'][m])}" for m in METRICS]
        lines.append(
            f"| {g['fixture']} | {g['condition']} | {g['agent']} | {g['n']} | "
            + " | ".join(cells)
            + " |"
        )
    return lines


def _effects(title: str, items: list[dict[str, Any]]) -> list[str]:
    lines = [f"### {title}", ""]
    if not items:
        return [*lines, "None with a confidence interval that excludes zero.", ""]
    for e in items:
        lines.append(
            f"- `{e['intervention']}` vs `{e['baseline']}` for `{e['agent']}` on `{e['fixture']}`: "
            f"{e['metric']} {e['diff']:+.2f} (95% CI [{e['ci_low']:.2f}, {e['ci_high']:.2f}], "
            f"{e['test']}, n={e['n']})"
        )
    return [*lines, ""]


def _cells_table(cells: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| cell | " + " | ".join(METRICS) + " | agent run | oracle run |",
        "|" + "---|" * (3 + len(METRICS)),
    ]
    for c in cells:
        values = (
            [f"{c['metrics'].get(m, float('nan')):g}" for m in METRICS]
            if c["metrics"]
            else ["error"] * len(METRICS)
        )
        lines.append(
            f"| {c['cell']} | "
            + " | ".join(values)
            + f" | {c['agent_run'] or ''} | {c['oracle_run'] or ''} |"
        )
    return lines


def render(shown: dict[str, Any], figures: list[str]) -> str:
    summary = shown["summary"]
    experiment = shown["experiment"]
    lines = [
        f"# Agent-run matrix `{shown['name']}`",
        "",
        f"Matrix `{shown['id']}`, {shown['cells_done']}/{shown['cells_total']} cells, status "
        f"{shown['status']}. Fixtures: {', '.join(experiment['fixtures'])}; conditions: "
        f"{', '.join(c['name'] + ' (' + c['brief'] + ')' for c in experiment['conditions'])}; "
        f"agents: {', '.join(a['name'] for a in experiment['agents'])}; "
        f"repeats: {experiment['repeats']}.",
        "",
        "## Metrics",
        "",
        *[f"- **{m}**: {MEANING[m]}" for m in METRICS],
        "",
        "Binary metrics carry Wilson 95% intervals, the others t intervals of the mean (clipped "
        "to the metric's range).",
        "",
        "## Results",
        "",
        *_results_table(summary["groups"]),
        "",
        *[f"![{m}](figures/{m}.png)\n" for m in figures],
        "## Policy candidates",
        "",
        f"Each condition against `{summary['baseline']}`, paired on repeats.",
        "",
        *_effects(
            "Interventions that moved a metric the right way", summary["policy"]["candidates"]
        ),
        *_effects("Interventions that made a metric worse", summary["policy"]["harms"]),
        "## Cells",
        "",
        *_cells_table(shown["cells"]),
        "",
    ]
    if shown.get("ara_slug"):
        lines += [f"Claims: ARA `{shown['ara_slug']}`.", ""]
    return "\n".join(lines)


def write_report(service: MatrixService, matrix_id: str) -> str:
    """Write report.md and figures/<metric>.png; returns the report's workspace path."""
    shown = service.show(matrix_id)
    directory = service.matrix_dir(shown["id"])
    groups = shown["summary"].get("groups", [])
    figures = []
    if groups:
        for metric in METRICS:
            write_atomic(directory / "figures" / f"{metric}.png", figure_png(groups, metric))
            figures.append(metric)
    path = directory / "report.md"
    write_atomic(path, render(shown, figures))
    return str(path.relative_to(service.deps.workspace.root))
