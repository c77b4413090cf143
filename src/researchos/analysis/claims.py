"""Turn cells and comparisons into claim dicts ready for ``AraService.add_claim``.

Mapping (see docs/analysis.md):

    per (condition, metric) cell            -> kind effect,      status supported
                                               (untested when no finite value exists)
    verdict better                          -> kind comparison,  status supported
    verdict better_below_min_effect         -> kind comparison,  status weakened
    verdict worse                           -> kind comparison,  status refuted
    verdict no_significant_difference       -> kind null_result, status supported
    verdict untestable                      -> kind comparison,  status untested

A comparison claim's statement is the pre-registered hypothesis ("T outperforms B on M"),
so its status is the verdict on that hypothesis. A null_result claim states only that no
significant difference was found — a fact about the data, hence supported — never that the
conditions are equal; the ``inconclusive`` / ``equivalent_within_margin`` flags say whether the
confidence interval rules out the pre-registered minimum effect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from researchos.analysis import text
from researchos.analysis.compare import Cell, ComparisonResult
from researchos.analysis.metrics import MetricsTable, Observation
from researchos.analysis.plan import AnalysisPlan
from researchos.errors import InputError

KIND_STATUS = {
    "better": ("comparison", "supported"),
    "better_below_min_effect": ("comparison", "weakened"),
    "worse": ("comparison", "refuted"),
    "no_significant_difference": ("null_result", "supported"),
    "untestable": ("comparison", "untested"),
}
RESERVED_CONDITIONS = frozenset(
    {"metric", "condition", "treatment", "baseline", "direction", "test", "alpha", "statistic"}
    | {"correction", "family_size", "min_effect_size", "confidence", "ci_method", "pairing"}
)


def rounded(value: float) -> float:
    """Six significant digits: enough for any shown value, short enough to read in YAML."""
    return float(f"{value:.6g}")


@dataclass
class ClaimSet:
    """Shared inputs of every claim of one analysis."""

    analysis_id: str
    plan: AnalysisPlan
    table: MetricsTable
    cells: dict[tuple[str, str], Cell]
    context: dict[str, Any]
    report_path: str
    code: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        clash = sorted(RESERVED_CONDITIONS & set(self.context))
        if clash:
            raise InputError(
                f"context keys {', '.join(clash)} are reserved for the analysis",
                field="context",
                fix="rename them (e.g. dataset, kit)",
            )

    def _base(self, metric: str, observations: Iterable[Observation]) -> dict[str, Any]:
        obs = list(observations)
        runs = list(dict.fromkeys(self.table.inputs[o.source].input.run_id for o in obs))
        mock = any(self.table.inputs[o.source].input.mock for o in obs)
        flags = ["MOCK"] if mock else []
        if any(not o.finite for o in obs):
            flags.append("nonfinite_values")
        return {
            "provenance": "ai-executed",
            "sources": [f"analysis:{self.analysis_id}", *(f"run:{r}" for r in runs)],
            "tags": ["analysis", f"metric:{metric}"],
            "code": list(self.code),
            "flags": flags,
        }

    def number(
        self,
        name: str,
        value: float,
        pointer: str,
        *,
        ci: Any = None,
        n: int | None = None,
        unit: str | None = None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"value": rounded(value), "metric": name, "n": n}
        if unit:
            out["unit"] = unit
        if ci is not None:
            out["ci_low"], out["ci_high"] = rounded(ci[0]), rounded(ci[1])
        out["source"] = f"{self.report_path}#{pointer}"
        return {k: v for k, v in out.items() if v is not None}

    def effect_claim(self, claim_id: str, index: int, cell: Cell) -> dict[str, Any]:
        claim = self._base(cell.metric, cell.observations)
        numbers = []
        if cell.mean is not None:
            name = f"{cell.metric}:mean[{cell.condition}]"
            numbers.append(
                self.number(
                    name, cell.mean, f"/cells/{index}", ci=cell.ci, n=cell.n, unit=cell.unit
                )
            )
        if cell.n_nonfinite:
            name = f"{cell.metric}:nonfinite[{cell.condition}]"
            numbers.append(self.number(name, cell.n_nonfinite, f"/cells/{index}"))
        if cell.n == 1:
            claim["flags"].append("single_seed")
        claim.update(
            id=claim_id,
            statement=text.effect_statement(self.plan, cell),
            kind="effect",
            status="supported" if cell.mean is not None else "untested",
            conditions={
                "metric": cell.metric,
                "condition": cell.condition,
                "statistic": "mean",
                "ci_method": cell.ci_method,
                "confidence": self.plan.confidence,
                **self.context,
            },
            numbers=numbers,
            falsification=text.effect_falsification(cell),
        )
        return claim

    def comparison_claim(
        self, claim_id: str, index: int, result: ComparisonResult, family: int
    ) -> dict[str, Any]:
        observations = [
            o
            for c in (result.treatment, result.baseline)
            if (c, result.metric) in self.cells
            for o in self.cells[(c, result.metric)].observations
        ]
        claim = self._base(result.metric, observations)
        claim["flags"] += _comparison_flags(result)
        kind, status = KIND_STATUS[result.verdict]
        claim.update(
            id=claim_id,
            statement=text.comparison_statement(self.plan, result, self.cells, family),
            kind=kind,
            status=status,
            conditions=self._comparison_conditions(result, family),
            numbers=self._comparison_numbers(result, index),
            falsification=text.comparison_falsification(self.plan, result),
        )
        return claim

    def _comparison_conditions(self, result: ComparisonResult, family: int) -> dict[str, Any]:
        conditions: dict[str, Any] = {
            "metric": result.metric,
            "treatment": result.treatment,
            "baseline": result.baseline,
            "direction": result.direction,
            "alpha": self.plan.alpha,
            "correction": "holm",
            "family_size": family,
            "min_effect_size": self.plan.min_effect_size,
            "confidence": self.plan.confidence,
            "ci_method": self.plan.ci_method,
        }
        if result.test is not None:
            conditions["test"] = result.test.test
            conditions["pairing"] = result.pairing or ""
        return {**conditions, **self.context}

    def _comparison_numbers(self, result: ComparisonResult, index: int) -> list[dict[str, Any]]:
        test, pointer = result.test, f"/comparisons/{index}"
        if test is None:
            return []
        pair = f"[{result.treatment}-{result.baseline}]"
        m = result.metric
        numbers = []
        for condition in (result.treatment, result.baseline):
            cell = self.cells[(condition, m)]
            if cell.mean is not None:
                name = f"{m}:mean[{condition}]"
                numbers.append(
                    self.number(name, cell.mean, pointer, ci=cell.ci, n=cell.n, unit=cell.unit)
                )
        n = test.n_treatment if test.test == "paired_t" else test.n_treatment + test.n_baseline
        unit = self.table.units.get(m)
        numbers.append(
            self.number(f"{m}:diff{pair}", test.diff, pointer, ci=test.diff_ci, n=n, unit=unit)
        )
        base_mean = self.cells[(result.baseline, m)].mean
        if base_mean:
            name = f"{m}:rel_diff{pair}"
            numbers.append(self.number(name, test.diff / abs(base_mean), pointer, unit="fraction"))
        if test.effect_size is not None:
            numbers.append(self.number(f"{m}:{test.effect_kind}{pair}", test.effect_size, pointer))
        numbers.append(self.number(f"{m}:p{pair}", test.p_value, pointer, n=n))
        assert result.p_holm is not None
        numbers.append(self.number(f"{m}:p_holm{pair}", result.p_holm, pointer, n=n))
        if test.nonparametric_p is not None:
            name = f"{m}:p_{test.nonparametric}{pair}"
            numbers.append(self.number(name, test.nonparametric_p, pointer))
        if result.excluded_seeds:
            name = f"{m}:excluded_seeds{pair}"
            numbers.append(self.number(name, len(result.excluded_seeds), pointer))
        return numbers


def _comparison_flags(result: ComparisonResult) -> list[str]:
    flags = []
    if result.test is not None and result.test.zero_variance:
        flags.append("zero_variance")
    if result.nonparametric_agrees is False:
        flags.append("nonparametric_check_disagrees")
    if result.equivalence == "inconclusive":
        flags.append("inconclusive")
    elif result.equivalence == "within_margin":
        flags.append("equivalent_within_margin")
    if result.excluded_seeds:
        flags.append("seeds_excluded")
    return flags


def line_spans(lines: Iterable[int]) -> str:
    """``L3-L5,L9`` for lines 3, 4, 5 and 9."""
    ordered = sorted(set(lines))
    spans: list[str] = []
    start = prev = ordered[0]
    for line in [*ordered[1:], None]:
        if line is not None and line == prev + 1:
            prev = line
            continue
        spans.append(f"L{start}" if start == prev else f"L{start}-L{prev}")
        if line is not None:
            start = prev = line
    return ",".join(spans)


def metrics_evidence(
    table: MetricsTable, observations: Iterable[Observation], description: str
) -> list[dict[str, Any]]:
    """One reference per metrics file, with the exact lines the claim rests on."""
    by_source: dict[int, list[int]] = {}
    for obs in observations:
        by_source.setdefault(obs.source, []).append(obs.line)
    refs = []
    for source in sorted(by_source):
        loaded = table.inputs[source]
        refs.append(
            {
                "path": loaded.input.evidence_path,
                "sha256": loaded.sha256,
                "locator": line_spans(by_source[source]),
                "kind": "run_output",
                "run_id": loaded.input.run_id,
                "note": description,
            }
        )
    return refs
