"""The machine-readable analysis report, saved as evidence next to the claims it backs.

Deterministic (no clock, no paths of the machine): the same plan and inputs give the same
bytes, so a resumed pipeline re-writes nothing and Seal L3 can diff a reproduction. Non-finite
numbers appear as the strings "nan", "inf", "-inf" and "null" so the file is strict JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

from researchos.analysis.compare import Cell, ComparisonResult
from researchos.analysis.figures import Figure
from researchos.analysis.metrics import MetricsTable
from researchos.analysis.plan import AnalysisPlan

REPORT_DIR = "evidence/analysis"


def report_path(analysis_id: str) -> str:
    return f"{REPORT_DIR}/{analysis_id}.json"


def _num(value: float | None) -> float | str | None:
    if value is None:
        return None
    return value if math.isfinite(value) else str(value)


def _pair(values: tuple[float, float] | None) -> list[float | str | None] | None:
    return None if values is None else [_num(values[0]), _num(values[1])]


def cell_entry(table: MetricsTable, cell: Cell) -> dict[str, Any]:
    return {
        "condition": cell.condition,
        "metric": cell.metric,
        "unit": cell.unit,
        "n": cell.n,
        "n_nonfinite": cell.n_nonfinite,
        "mean": _num(cell.mean),
        "sd": _num(cell.sd),
        "ci": _pair(cell.ci),
        "ci_method": cell.ci_method,
        "values": [
            {
                "seed": o.seed,
                "value": o.value if o.finite else o.value_text,
                "run_id": table.inputs[o.source].input.run_id,
                "line": o.line,
            }
            for o in cell.observations
        ],
    }


def comparison_entry(result: ComparisonResult) -> dict[str, Any]:
    test = result.test
    entry: dict[str, Any] = {
        "treatment": result.treatment,
        "baseline": result.baseline,
        "metric": result.metric,
        "direction": result.direction,
        "pairing": result.pairing,
        "verdict": result.verdict,
        "reason": result.reason or None,
        "excluded_seeds": list(result.excluded_seeds),
        "equivalence": result.equivalence,
        "nonparametric_agrees": result.nonparametric_agrees,
        "p_holm": _num(result.p_holm),
    }
    if test is not None:
        entry["test"] = {
            "name": test.test,
            "n_treatment": test.n_treatment,
            "n_baseline": test.n_baseline,
            "diff": _num(test.diff),
            "diff_ci": _pair(test.diff_ci),
            "statistic": _num(test.statistic),
            "df": _num(test.df),
            "p_value": _num(test.p_value),
            "effect_size": _num(test.effect_size),
            "effect_kind": test.effect_kind,
            "effect_scale": _num(test.scale),
            "nonparametric": test.nonparametric,
            "nonparametric_p": _num(test.nonparametric_p),
            "zero_variance": test.zero_variance,
        }
    return entry


def build_report(
    *,
    analysis_id: str,
    plan: AnalysisPlan,
    table: MetricsTable,
    cells: list[Cell],
    comparisons: list[ComparisonResult],
    context: dict[str, Any],
    figures: list[tuple[Figure, dict[str, str]]],
    claims: list[dict[str, Any]],
) -> dict[str, Any]:
    tested = [c for c in comparisons if c.test is not None]
    return {
        "format_version": 1,
        "kind": "researchos.analysis",
        "analysis_id": analysis_id,
        "mock": any(i.input.mock for i in table.inputs),
        "plan": plan.model_dump(mode="json"),
        "context": context,
        "inputs": [
            {
                "run_id": i.input.run_id,
                "path": i.input.evidence_path,
                "sha256": i.sha256,
                "lines": i.lines,
                "observations": i.observations,
                "mock": i.input.mock,
            }
            for i in table.inputs
        ],
        "nonfinite": [
            {
                "path": table.inputs[o.source].input.evidence_path,
                "line": o.line,
                "run_id": table.inputs[o.source].input.run_id,
                "condition": o.condition,
                "seed": o.seed,
                "metric": o.metric,
                "value": o.value_text,
            }
            for o in table.nonfinite
        ],
        "holm": {"family_size": len(tested), "alpha": plan.alpha},
        "cells": [cell_entry(table, cell) for cell in cells],
        "comparisons": [comparison_entry(result) for result in comparisons],
        "figures": [{"metric": f.metric, **hashes} for f, hashes in figures],
        "claims": [
            {"id": c["id"], "kind": c["kind"], "status": c["status"], "statement": c["statement"]}
            for c in claims
        ],
    }


def report_bytes(report: dict[str, Any]) -> bytes:
    return (json.dumps(report, indent=1, allow_nan=False, ensure_ascii=False) + "\n").encode()
