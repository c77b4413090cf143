"""Knowledge search and pages with their dependsOn tree and drawn graph, a matrix report with
its figures, and the workspace metrics report, in Chromium."""

from __future__ import annotations

import pytest
from console_browser import PHONE, login, shot

from researchos.knowledge.page import parse_page
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
    listed = page.locator("section", has=page.get_by_role("heading", name="Depends on"))
    listed.get_by_role("link", name="paylib 2.x: charge through").click()
    tree = page.locator("ul.deptree").inner_text()
    assert "paylib-create-charge-units" in tree
    assert "ChargeAdapter(client).create" in page.locator("article.paper pre").inner_text()
    assert "knowledge.add" in page.locator("ol.history").inner_text()
    shot(page, "knowledge-page", docs=True)
    page.goto(server.url("/knowledge/pages/no-such-page"))
    assert "no knowledge page" in page.locator("main").inner_text()


def _page(page_id: str, title: str, depends: list[str]) -> str:
    return (
        f'---\nformat_version: 1\nid: {page_id}\nkind: intervention\ntitle: "{title}"\n'
        f"review: reviewed\ndependsOn: [{', '.join(depends)}]\n---\n{title}.\n"
    )


def test_dependency_graph_is_drawn_and_its_nodes_are_links(browser, page, server) -> None:
    kb = server.app.knowledge
    seed_knowledge(kb, load_fixture("api_drift", base=None, display="test"))
    more = [
        ("paylib-checkout", "Checkout charges through the adapter", ["paylib-2-charge-adapter"]),
        ("paylib-refunds", "Refunds reuse the charge adapter", ["paylib-2-charge-adapter"]),
        ("shop-release", "Release checklist for the shop", ["paylib-checkout", "paylib-refunds"]),
    ]
    pages = [parse_page(_page(*spec), display=f"{spec[0]}.md") for spec in more]
    kb.write_pages(pages, event="knowledge.add", summary="add pages for the graph test")
    login(page, server, "/knowledge/pages/paylib-2-charge-adapter")
    graph = page.locator("svg#graph-page")
    assert graph.get_attribute("data-nodes") == "5"
    assert graph.locator('[data-node="paylib-2-charge-adapter"].root').count() == 1
    assert graph.locator("path.edge").count() == 5 and graph.locator("path.reversed").count() == 0
    # the dependency sits below the page, the dependents above it
    top_down = ["shop-release", "paylib-checkout", "paylib-2-charge-adapter"]
    top_down.append("paylib-create-charge-units")
    y = [int(graph.locator(f'[data-node="{n}"] rect').get_attribute("y") or 0) for n in top_down]
    assert y == sorted(y) and len(set(y)) == 4
    shot(page, "knowledge-graph-page")
    link = graph.get_by_role("link", name="Refunds reuse the charge adapter (paylib-refunds)")
    link.focus()  # reachable and followed with the keyboard
    page.keyboard.press("Enter")
    page.wait_for_url("**/knowledge/pages/paylib-refunds")
    assert page.locator("svg#graph-page .root").get_attribute("data-node") == "paylib-refunds"
    page.get_by_role("link", name="The whole graph").click()
    whole = page.locator("svg#graph-all")
    assert whole.get_attribute("data-nodes") == "5"
    assert page.get_by_role("heading", name="5 pages").is_visible()
    shot(page, "knowledge-graph", docs=True)
    whole.get_by_role("link", name="Release checklist for the shop (shop-release)").click()
    page.wait_for_url("**/knowledge/pages/shop-release")
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        phone.add_cookies(page.context.cookies())
        small = phone.new_page()
        for path in ("/knowledge/graph", "/knowledge/pages/paylib-2-charge-adapter", "/matrices"):
            small.goto(server.url(path))
            overflow = small.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways at phone width ({overflow}px)"
        shot(small, "phone-matrices", docs=True)
    finally:
        phone.close()


def test_a_person_reviews_a_page_and_syncs_pages_from_aras(page, server, tmp_path) -> None:
    from console_browser import build_study

    seed_knowledge(server.app.knowledge, load_fixture("api_drift", base=None, display="test"))
    build_study(server.app, tmp_path)
    login(page, server, "/knowledge/pages/paylib-create-charge-units")
    page.get_by_label("Review status").select_option("verified")
    page.get_by_label("Note", exact=False).fill("reproduced the 100x charge in a scratch repo")
    page.get_by_role("button", name="Record review").click()
    assert "Review recorded" in page.locator("p.notice").inner_text()
    assert "verified" in page.locator(".page-head .meta").inner_text()
    assert "reproduced the 100x charge" in page.locator("#h-review + ul").inner_text()
    assert server.app.knowledge.get("paylib-create-charge-units").review == "verified"
    page.get_by_role("link", name="Knowledge", exact=True).click()
    before = len(server.app.knowledge.pages())
    page.get_by_role("button", name="Sync pages from the ARAs").click()
    assert "refreshed from every ARA" in page.locator("p.notice").inner_text()
    assert len(server.app.knowledge.pages()) > before  # the study's claims became pages


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
    figure.evaluate("img => img.decode()")  # wait for the image, however busy the machine is
    assert figure.evaluate("img => img.decode().then(() => img.naturalWidth)") > 100
    shot(page, "matrix-report", docs=True)
    page.goto(server.url("/metrics"))
    page.get_by_role("button", name="Collect and write the report").click()
    assert "metrics-report.md written" in page.locator("p.notice").inner_text()
    assert page.locator("article.paper h1, article.paper h2").count() >= 1
    missing = page.goto(server.url(f"/matrices/{shown['id']}/files/experiment.yaml"))
    assert missing is not None and missing.status == 404
