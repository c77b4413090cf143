"""Deterministic analysis of run metrics: statistics, claims, report and figures.

    plan = AnalysisPlan(primary_metric="accuracy", baseline="logreg")
    result = analyse(plan, [MetricsInput(run_id="r1", path=Path("metrics.jsonl")), ...])
    write_analysis(app, "my-ara", result, Origin("agent:analysis", run_id="r1"))

See docs/analysis.md for the statistics, the claim mapping and the figure files.
"""

from researchos.analysis.metrics import MetricsInput, MetricsTable, Observation, load_metrics
from researchos.analysis.plan import AnalysisPlan, ComparisonSpec
from researchos.analysis.result import AnalysisResult, analyse
from researchos.analysis.writer import WrittenAnalysis, write_analysis

__all__ = [
    "AnalysisPlan",
    "AnalysisResult",
    "ComparisonSpec",
    "MetricsInput",
    "MetricsTable",
    "Observation",
    "WrittenAnalysis",
    "analyse",
    "load_metrics",
    "write_analysis",
]
