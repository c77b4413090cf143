"""The real pipeline in mock mode, driven and explored only in the browser: start the run,
watch every stage finish live, then follow ideas, specs, runs and their logs, claims with
their evidence, the draft, the review and the signed package (downloaded and verified)."""

import pytest
from console_browser import login, shot

from researchos.pipeline.projects import create_project
from researchos.pipeline.stages import ordered_stages

pytestmark = pytest.mark.browser
BRIEF = """# Does standardising features help k-NN on the wine dataset?
Compare k-NN with and without standardisation on wine; report accuracy with CIs."""
FAST = {"ideas": 12, "seeds": 3}


def test_a_mock_project_end_to_end_in_the_browser(page, server, tmp_path):
    project = create_project(server.app, brief=BRIEF, mode="mock", options=FAST)
    login(page, server, f"/projects/{project.id}")
    page.get_by_role("button", name="Start run").click()
    status = page.locator("[data-run-status]")
    status.get_by_text("completed").wait_for(timeout=180_000)
    names = [s.name for s in ordered_stages()]
    for name in names:
        assert page.locator(f'[data-stage="{name}"] [data-stage-status]').inner_text() == "done"
    page.get_by_role("link", name="Show the new results").click()
    shot(page, "project", docs=True)

    page.get_by_role("link", name="Ideas & funnel").click()
    assert page.locator("tbody tr[id^=idea-]").count() == FAST["ideas"]
    assert page.locator("ol.funnel li").last.inner_text() == "shortlisted 1"
    page.get_by_role("link", name="Specs").click()
    assert page.locator("article.spec").count() >= 1
    shot(page, "pipeline-specs")
    page.get_by_role("link", name="Runs", exact=True).click()
    assert page.locator("tbody").get_by_text("succeeded valid").count() >= 2
    page.locator("tbody a").first.click()
    assert page.locator("ul.files li").count() >= 1
    shot(page, "pipeline-run")

    page.get_by_role("link", name="Claims", exact=True).click()
    page.locator("tbody a").first.click()
    assert page.locator(".integrity.changed, .integrity.missing").count() == 0
    assert page.locator(".integrity.matches").count() >= 1
    shot(page, "claim-evidence", docs=True)
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Paper").click()
    paper = page.locator("article.paper")
    assert paper.locator("a.claim-link").count() >= 1
    assert paper.locator("em.claim-unknown").count() == 0
    shot(page, "paper", docs=True)

    page.goto(server.url(f"/projects/{project.id}/review"))
    assert "Freezing is blocked" not in page.locator("#main").inner_text()
    page.get_by_role("link", name="Package").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").first.click()
    download.value.save_as(tmp_path / "package.zip")
    page.get_by_role("button", name="Verify").first.click()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "ok"
    assert "MOCK" in page.locator("dl.fields").inner_text()

    page.get_by_role("link", name="Metrics").click()
    page.get_by_role("button", name="Collect and write the report").click()
    coverage = page.locator("article.paper tr", has_text="claim coverage").inner_text()
    assert "n/a" not in coverage  # the run's claims are counted
    shot(page, "metrics", docs=True)
