"""Knowledge search and pages with their dependsOn tree, a matrix report with its figures,
and the workspace metrics report, in Chromium."""

from __future__ import annotations

import pytest
from console_browser import login, shot

from researchos.matrix.catalog import load_fixture, seed_knowledge

pytestmark = pytest.mark.browser

ONE_CELL = """format_version: 1
name: one-cell
fixtures: [api_drift]
conditions: [{name: mcp-brief, brief: mcp}]
agents: [{name: follower, scripted: brief_follower}]
repeats: 1
"""


def test_knowledge_search_page_and_dependency_tree(page, server) -> None:
    seed_knowledge(server.app.knowledge, load_fixture("api_drift", base=None, display="test"))
    login(page, server, "/knowledge")
    assert page.get_by_role("link", name="paylib 2.x: charge through").count() == 1
    page.get_by_role("searchbox", name="Search").fill("create_charge major units")
    page.get_by_role("button", name="Search").click()
    hits = page.locator("ol.hits > li")
    assert "100x" in hits.first.inner_text()
    hits.first.get_by_role("link").click()
    assert page.get_by_role("heading", name="Depended on by").is_visible()
    page.get_by_role("link", name="paylib 2.x: charge through").click()
    tree = page.locator("ul.deptree").inner_text()
    assert "paylib-create-charge-units" in tree
    assert "ChargeAdapter(client).create" in page.locator("article.paper pre").inner_text()
    assert "knowledge.add" in page.locator("ol.history").inner_text()
    shot(page, "knowledge-page", docs=True)
    page.goto(server.url("/knowledge/pages/no-such-page"))
    assert "no knowledge page" in page.locator("main").inner_text()


def test_matrix_report_with_figures_and_the_metrics_report(page, server, tmp_path) -> None:
    experiment = tmp_path / "one.yaml"
    experiment.write_text(ONE_CELL)
    shown = server.app.matrix.run(str(experiment))
    login(page, server, "/matrices")
    page.get_by_role("link", name=shown["id"]).click()
    report = page.locator("article.matrix-report")
    assert "| api_drift" not in report.inner_text()  # the table is rendered, not raw
    assert report.locator("table").first.locator("td").first.inner_text() == "api_drift"
    figure = page.get_by_role("img", name="success")
    assert figure.evaluate("img => img.complete && img.naturalWidth") > 100
    shot(page, "matrix-report", docs=True)
    page.goto(server.url("/metrics"))
    page.get_by_role("button", name="Collect and write the report").click()
    assert "metrics-report.md written" in page.locator("p.notice").inner_text()
    assert page.locator("article.paper h1, article.paper h2").count() >= 1
    missing = page.goto(server.url(f"/matrices/{shown['id']}/files/experiment.yaml"))
    assert missing is not None and missing.status == 404
