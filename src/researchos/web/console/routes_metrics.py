"""Workspace metrics: system/metrics-report.md as ``researchos metrics`` writes it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from researchos.history.commits import read_log
from researchos.metrics import REPORT, collect, render_report, write_report
from researchos.web.console.markup import Links, render_markdown
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.deps import Ros

router = APIRouter(prefix="/metrics", include_in_schema=False)


@router.get("")
def metrics(request: Request, ros: Ros, _: Viewer) -> Response:
    path = ros.workspace.root / REPORT
    html = (
        render_markdown(path.read_text("utf-8"), Links(base="system", files="/metrics/"))
        if path.is_file()
        else None
    )
    written = read_log(ros.workspace.git, event="metrics.report", limit=1)
    return render(
        request, "metrics.html", section="metrics", report=html, written=written, path=REPORT
    )


@router.post("")
def recompute(ros: Ros, _: Viewer, __: CsrfChecked) -> Response:
    """Collect from files and store, write the report (a ``metrics.report`` commit)."""
    report = collect(ros)
    write_report(ros, report, render_report(report))
    return redirect("/metrics", "metrics")
