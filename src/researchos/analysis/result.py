"""``analyse(plan, inputs)``: metrics files in, claims + report + figures out (no ARA access).

The result is plain data: claim dicts ready for ``AraService.add_claim`` (with deterministic
ids ``<analysis>-e01`` for effects and ``<analysis>-c01`` for comparisons), the report dict and
every file to add under ``evidence/`` as bytes. ``write_analysis`` puts them into an ARA.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from researchos.analysis import figures as figs
from researchos.analysis.claims import ClaimSet, metrics_evidence
from researchos.analysis.compare import (
    Cell,
    ComparisonResult,
    build_cells,
    compare,
    condition_order,
)
from researchos.analysis.metrics import MetricsInput, MetricsTable, Observation, load_metrics
from researchos.analysis.plan import AnalysisPlan
from researchos.analysis.report import build_report, report_bytes, report_path
from researchos.errors import InputError
from researchos.files import sha256_bytes


@dataclass(frozen=True)
class AnalysisResult:
    analysis_id: str
    plan: AnalysisPlan
    table: MetricsTable
    cells: tuple[Cell, ...]
    comparisons: tuple[ComparisonResult, ...]
    claims: tuple[dict[str, Any], ...]  # in dependency order (effects first)
    report: dict[str, Any]
    report_path: str
    files: Mapping[str, bytes]  # ARA-relative path -> content (report, figures)
    mock: bool

    @property
    def nonfinite(self) -> list[Observation]:
        return self.table.nonfinite

    def claim_dicts(self) -> list[dict[str, Any]]:
        """Fresh copies, safe to hand to ``AraService.add_claim``."""
        return copy.deepcopy(list(self.claims))


def analysis_id_for(
    plan: AnalysisPlan, table: MetricsTable, context: Mapping[str, Any], code: Sequence[str]
) -> str:
    """Same plan, inputs and context -> same id, so a re-run after a crash is idempotent."""
    identity = {
        "plan": plan.model_dump(mode="json"),
        "inputs": [
            [i.input.run_id, i.input.evidence_path, i.sha256, i.input.mock] for i in table.inputs
        ],
        "context": dict(context),
        "code": list(code),
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return f"A{digest[:10]}"


def analyse(
    plan: AnalysisPlan,
    inputs: Sequence[MetricsInput],
    *,
    context: Mapping[str, Any] | None = None,
    code: Sequence[str] = (),
    figures: bool = True,
) -> AnalysisResult:
    """Run the plan over the metrics files.

    ``context`` holds scalar keys (dataset, kit...) copied into every claim's conditions;
    ``code`` lists ARA-relative code paths behind the claims; ``figures=False`` skips drawing.
    """
    context = _check_context(context or {})
    table = load_metrics(inputs)
    cells = build_cells(table, plan)
    comparisons = compare(plan, cells, condition_order(table, plan))
    analysis_id = analysis_id_for(plan, table, context, code)
    rpath = report_path(analysis_id)
    claim_set = ClaimSet(analysis_id, plan, table, cells, context, rpath, list(code))
    cell_list = list(cells.values())
    effects, comps = _claims(claim_set, cell_list, comparisons)
    files, figure_refs, figure_hashes = _figures(analysis_id, plan, cells, figures)
    report = build_report(
        analysis_id=analysis_id,
        plan=plan,
        table=table,
        cells=cell_list,
        comparisons=comparisons,
        context=context,
        figures=figure_hashes,
        claims=effects + comps,
    )
    data = report_bytes(report)
    files[rpath] = data
    _attach_evidence(claim_set, cell_list, comparisons, effects, comps, sha256_bytes(data))
    for claim in effects + comps:
        ref = figure_refs.get(claim["conditions"]["metric"])
        if ref:
            claim["evidence"].append(dict(ref))
    return AnalysisResult(
        analysis_id=analysis_id,
        plan=plan,
        table=table,
        cells=tuple(cell_list),
        comparisons=tuple(comparisons),
        claims=tuple(effects + comps),
        report=report,
        report_path=rpath,
        files=files,
        mock=report["mock"],
    )


def _check_context(context: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in context.items():
        if isinstance(value, dict | list | tuple | set) or value is None:
            raise InputError(
                f"context value for {key!r} must be a string, number or boolean",
                field=f"context.{key}",
            )
    return dict(context)


def _claims(
    claim_set: ClaimSet, cells: list[Cell], comparisons: list[ComparisonResult]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    aid = claim_set.analysis_id
    width = max(2, len(str(max(len(cells), len(comparisons), 1))))
    effects = [
        claim_set.effect_claim(f"{aid}-e{i + 1:0{width}d}", i, cell) for i, cell in enumerate(cells)
    ]
    by_cell = {(c.condition, c.metric): e["id"] for c, e in zip(cells, effects, strict=True)}
    family = sum(1 for c in comparisons if c.test is not None)
    comps = []
    for i, result in enumerate(comparisons):
        claim = claim_set.comparison_claim(f"{aid}-c{i + 1:0{width}d}", i, result, family)
        deps = [(result.treatment, result.metric), (result.baseline, result.metric)]
        claim["dependencies"] = [by_cell[k] for k in deps if k in by_cell]
        comps.append(claim)
    return effects, comps


def _attach_evidence(
    claim_set: ClaimSet,
    cells: list[Cell],
    comparisons: list[ComparisonResult],
    effects: list[dict[str, Any]],
    comps: list[dict[str, Any]],
    report_sha: str,
) -> None:
    table, cell_map = claim_set.table, claim_set.cells
    for i, (cell, claim) in enumerate(zip(cells, effects, strict=True)):
        what = f"condition={cell.condition}; metric={cell.metric}"
        claim["evidence"] = metrics_evidence(table, cell.observations, what)
        claim["evidence"].append(_report_ref(claim_set, report_sha, f"/cells/{i}"))
    for i, (result, claim) in enumerate(zip(comparisons, comps, strict=True)):
        keys = [(c, result.metric) for c in (result.treatment, result.baseline)]
        observations = [o for k in keys if k in cell_map for o in cell_map[k].observations]
        what = f"condition in {{{result.treatment}, {result.baseline}}}; metric={result.metric}"
        claim["evidence"] = metrics_evidence(table, observations, what)
        claim["evidence"].append(_report_ref(claim_set, report_sha, f"/comparisons/{i}"))


def _report_ref(claim_set: ClaimSet, sha: str, pointer: str) -> dict[str, Any]:
    return {
        "path": claim_set.report_path,
        "sha256": sha,
        "locator": pointer,
        "kind": "other",
        "note": f"analysis report {claim_set.analysis_id}",
    }


def _figures(
    analysis_id: str, plan: AnalysisPlan, cells: dict[tuple[str, str], Cell], draw: bool
) -> tuple[dict[str, bytes], dict[str, dict[str, Any]], list[tuple[figs.Figure, dict[str, str]]]]:
    files: dict[str, bytes] = {}
    refs: dict[str, dict[str, Any]] = {}
    hashes: list[tuple[figs.Figure, dict[str, str]]] = []
    if not draw:
        return files, refs, hashes
    script = figs.script_bytes()
    for figure in figs.plan_figures(analysis_id, plan, cells):
        png = figs.render_png(figure)
        files[figure.png_path] = png
        files[figure.data_path] = figs.data_bytes(figure)
        files[figure.script_path] = script
        hashes.append(
            (
                figure,
                {
                    "png": figure.png_path,
                    "data": figure.data_path,
                    "script": figure.script_path,
                    "png_sha256": sha256_bytes(png),
                    "data_sha256": sha256_bytes(files[figure.data_path]),
                },
            )
        )
        refs[figure.metric] = {
            "path": figure.png_path,
            "sha256": sha256_bytes(png),
            "kind": "figure",
            "note": f"{figure.metric}: condition means with CI; data in {figure.data_path}",
        }
    return files, refs, hashes
