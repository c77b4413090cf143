"""Starting a matrix from the browser: a bad experiment file is refused with its file and
field named, a good one runs in the background while the page follows it, then the report;
two matrices compared."""

from __future__ import annotations

import threading

import pytest
from console_browser import login, shot

from researchos.matrix import service

pytestmark = pytest.mark.browser

FOUR_CELLS = """format_version: 1
name: four-cells
description: the MCP brief against none, one scripted agent, twice each
fixtures: [api_drift]
conditions: [{name: baseline, brief: none}, {name: mcp-brief, brief: mcp}]
agents: [{name: follower, scripted: brief_follower}]
repeats: 2
"""


@pytest.fixture
def held_cell(monkeypatch):
    """Cells of the mcp-brief condition wait for the test, so progress is seen mid-run."""
    release = threading.Event()
    real = service.run_cell

    def run_cell(plan, context):
        row = real(plan, context)
        if plan.condition.name == "mcp-brief" and not release.wait(60):
            raise TimeoutError("the test never released the cell")
        return row

    monkeypatch.setattr(service, "run_cell", run_cell)
    yield release
    release.set()


def test_a_matrix_started_in_the_browser_runs_and_reports(page, server, tmp_path, held_cell):
    bad = tmp_path / "brief effect.yaml"
    bad.write_text(FOUR_CELLS.replace("repeats: 2", "repeats: 0"))
    good = tmp_path / "four.yaml"
    good.write_text(FOUR_CELLS)
    login(page, server, "/matrices")
    assert "12 cells" in page.locator("label[for=exp-quick]").inner_text()
    assert page.get_by_label("quick · 12 cells").is_checked()

    page.get_by_label("My experiment file").check()
    page.get_by_label("Experiment YAML").set_input_files(str(bad))
    page.get_by_role("button", name="Start matrix").click()
    error = page.get_by_role("alert").inner_text()
    assert "brief_effect.yaml: repeats:" in error and "greater than or equal to 1" in error
    assert page.get_by_label("My experiment file").is_checked()  # the form keeps its choice
    assert server.app.matrix.list() == []

    page.get_by_label("Workers").fill("0")  # the browser itself refuses it
    assert page.get_by_label("Workers").evaluate("input => input.validity.rangeUnderflow")

    page.get_by_label("Experiment YAML").set_input_files(str(good))
    page.get_by_label("Workers").fill("2")
    page.get_by_role("button", name="Start matrix").click()
    page.wait_for_url("**/matrices/mx-*")
    assert page.get_by_role("heading", name="Matrix four-cells").is_visible()
    # the page follows the run: the count moves while a cell is held, without a reload
    page.get_by_role("status").filter(has_text="2 of 4 cells done").wait_for(timeout=60_000)
    assert page.locator("#matrix-live progress").evaluate("bar => [bar.value, bar.max]") == [2, 4]
    assert page.locator("[data-state-cells]").inner_text() == "2/4"
    assert page.locator("[data-state-status]").inner_text() == "running"
    shot(page, "matrix-running")
    held_cell.set()
    # ... and, once the report is written, shows it
    report = page.locator("article.matrix-report")
    report.wait_for(timeout=60_000)
    assert "4/4 cells" in page.locator(".page-head .meta").inner_text()
    assert "finished" in page.locator("[data-matrix-status]").inner_text()
    assert page.get_by_role("img", name="success").count() == 1
    assert "matrix_started" not in page.url
    (shown,) = server.app.matrix.list()
    assert shown["name"] == "four-cells" and shown["status"] == "finished"
    assert shown["cells"] == "4/4"

    # the same matrix with an agent that ignores the brief: compared, it regresses
    worse = tmp_path / "worse.yaml"
    worse.write_text(FOUR_CELLS.replace("brief_follower", "brief_ignorer"))
    later = server.app.matrix.run(str(worse), workers=2)
    page.get_by_role("link", name="Matrices").click()
    assert page.get_by_role("link", name=shown["id"]).is_visible()
    shot(page, "matrices", docs=True)
    page.get_by_label("Compare A (before)").select_option(shown["id"])
    page.get_by_label("with B (after)").select_option(later["id"])
    page.get_by_role("button", name="Compare").click()
    assert page.locator("[data-regressions]").inner_text() == "9 regressions"
    row = page.locator("tr", has_text="mcp-brief").filter(has_text="success")
    assert "-1.00" in row.inner_text() and "regression" in row.inner_text()
    assert "api_drift/mcp-brief/follower/r1: 1.0 → 0.0" in page.locator("main").inner_text()
