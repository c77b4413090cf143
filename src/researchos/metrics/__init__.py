"""Workspace metrics from files and store only (``researchos metrics``); see docs/seal.md."""

from researchos.metrics.render import render_report
from researchos.metrics.report import REPORT, MetricsReport, Ratio, collect, write_report

__all__ = ["REPORT", "MetricsReport", "Ratio", "collect", "render_report", "write_report"]
