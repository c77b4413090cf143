"""Starting a matrix from the browser: a bad experiment file is refused with its file and
field named, a good one runs in the background while the page follows it, then the report."""

from __future__ import annotations

import threading

import pytest
from console_browser import login, shot

from researchos.matrix import service

pytestmark = pytest.mark.browser

TWO_CELLS = """format_version: 1
name: two-cells
description: the MCP brief against none, one scripted agent, once each
fixtures: [api_drift]
conditions: [{name: baseline, brief: none}, {name: mcp-brief, brief: mcp}]
agents: [{name: follower, scripted: brief_follower}]
repeats: 1
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
    bad.write_text(TWO_CELLS.replace("repeats: 1", "repeats: 0"))
    good = tmp_path / "two.yaml"
    good.write_text(TWO_CELLS)
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
    assert page.get_by_role("heading", name="Matrix two-cells").is_visible()
    # the page follows the run: the count moves while a cell is held, without a reload
    page.get_by_role("status").filter(has_text="1 of 2 cells done").wait_for(timeout=60_000)
    assert page.locator("#matrix-live progress").evaluate("bar => [bar.value, bar.max]") == [1, 2]
    assert page.locator("[data-state-cells]").inner_text() == "1/2"
    assert page.locator("[data-state-status]").inner_text() == "running"
    shot(page, "matrix-running")
    held_cell.set()
    # ... and, once the report is written, shows it
    report = page.locator("article.matrix-report")
    report.wait_for(timeout=60_000)
    assert "2/2 cells" in page.locator(".page-head .meta").inner_text()
    assert "finished" in page.locator("[data-matrix-status]").inner_text()
    assert page.get_by_role("img", name="success").count() == 1
    assert "matrix_started" not in page.url
    (shown,) = server.app.matrix.list()
    assert shown["name"] == "two-cells" and shown["status"] == "finished"
    assert shown["cells"] == "2/2"
    page.get_by_role("link", name="Matrices").click()
    assert page.get_by_role("link", name=shown["id"]).is_visible()
    shot(page, "matrices", docs=True)
