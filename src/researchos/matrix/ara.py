"""Matrix results as claims in an ARA, through the analysis stage (``researchos.analysis``).

Each finished cell becomes ``metrics.jsonl`` lines ``{condition, seed, metric, value}`` with
``condition = <fixture>/<condition>/<agent>`` and ``seed = repeat`` (the run contract of
DESIGN §5), so ``analyse`` computes per-cell effects with CIs and the pre-registered
comparisons: each condition against the experiment's first (baseline) condition for every
agent, and the first agent (the one under study) against each other agent in every condition,
paired on repeats, Holm-corrected. ``write_analysis`` lands report, figures and claims in one
commit; the per-cell table goes in as evidence beside it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from researchos.analysis import AnalysisPlan, ComparisonSpec, MetricsInput, analyse, write_analysis
from researchos.artifacts.service import Origin
from researchos.errors import NotFound
from researchos.files import write_atomic
from researchos.matrix.metrics import BINARY, HIGHER_IS_BETTER, METRICS, RANGES

if TYPE_CHECKING:
    from researchos.matrix.service import MatrixService


def label(cell: dict[str, Any]) -> str:
    return f"{cell['fixture']}/{cell['condition']}/{cell['agent']}"


def metrics_lines(cells: list[dict[str, Any]]) -> str:
    lines = [
        json.dumps(
            {"condition": label(c), "seed": c["repeat"], "metric": m, "value": c["metrics"][m]}
        )
        for c in cells
        if c["status"] == "finished"
        for m in METRICS
    ]
    return "\n".join(lines) + "\n"


def analysis_plan(experiment: dict[str, Any], fixtures: list[str]) -> AnalysisPlan:
    conditions = [c["name"] for c in experiment["conditions"]]
    agents = [a["name"] for a in experiment["agents"]]
    specs = []
    for fixture in fixtures:
        for agent in agents:
            for condition in conditions[1:]:
                base = f"{fixture}/{conditions[0]}/{agent}"
                specs += [
                    ComparisonSpec(
                        treatment=f"{fixture}/{condition}/{agent}", baseline=base, metric=m
                    )
                    for m in METRICS
                ]
        for condition in conditions:
            for other in agents[1:]:
                base = f"{fixture}/{condition}/{other}"
                specs += [
                    ComparisonSpec(
                        treatment=f"{fixture}/{condition}/{agents[0]}", baseline=base, metric=m
                    )
                    for m in METRICS
                ]
    return AnalysisPlan(
        primary_metric="success",
        secondary_metrics=[m for m in METRICS if m != "success"],
        baseline=f"{fixtures[0]}/{conditions[0]}/{agents[0]}",
        comparisons=specs,
        metric_directions={m: "lower_is_better" for m in METRICS if m not in HIGHER_IS_BETTER},
        proportion_metrics=sorted(BINARY),
        metric_ranges=dict(RANGES),
        pairing="paired",
    )


def write_matrix_ara(service: MatrixService, matrix_id: str, slug: str) -> dict[str, Any]:
    """Analyse the matrix into claims in ARA ``slug`` (created when missing)."""
    shown = service.show(matrix_id)
    cells = [c for c in shown["cells"] if c["status"] == "finished"]
    directory = service.matrix_dir(shown["id"])
    metrics_file = directory / "metrics.jsonl"
    write_atomic(metrics_file, metrics_lines(cells))
    fixtures = sorted({c["fixture"] for c in cells})
    result = analyse(
        analysis_plan(shown["experiment"], fixtures),
        [MetricsInput(run_id=shown["id"], path=metrics_file)],
        context={"matrix": shown["id"], "experiment": shown["name"], "kind": "agent-run matrix"},
    )
    aras = service.deps.aras()
    try:
        aras.get(slug)
    except NotFound:
        aras.create(title=f"Agent-run matrix: {shown['name']}", slug=slug, tags=["matrix"])
    origin = Origin("agent:matrix", run_id=shown["id"])
    written = write_analysis(aras, slug, result, origin)
    cells_json = "\n".join(json.dumps(c, sort_keys=True, default=str) for c in cells) + "\n"
    aras.write_files(
        slug,
        {f"evidence/raw/{shown['id']}/cells.jsonl": cells_json},
        event="evidence.add",
        summary=f"add the cells of matrix {shown['id']}",
        origin=origin,
    )
    service.set_ara(shown["id"], slug)
    return written.to_dict()
