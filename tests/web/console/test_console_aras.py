"""The ARA browser: claims with evidence and figures, traces, the paper view with claim links
and escaped HTML, git history per claim; packages downloaded and verified in the browser;
every form carries a CSRF token; the main pages at desktop and phone width."""

import zipfile

import pytest
from console_browser import PHONE, build_study, login, shot

from researchos.package.verify import verify
from researchos.pipeline import approvals
from researchos.pipeline.projects import create_project
from researchos.store import research

pytestmark = pytest.mark.browser


@pytest.fixture
def study(server, tmp_path):
    return build_study(server.app, tmp_path)


def test_claim_shows_its_evidence_figure_and_history(page, server, study):
    login(page, server, "/aras")
    shot(page, "aras")
    page.get_by_role("link", name="k-NN and feature scaling").click()
    seal = page.locator("section", has=page.get_by_role("heading", name="Seal")).inner_text()
    assert "L1 structure: passed" in seal and "L3 reproduction: not run" in seal
    assert "C0002: no evidence" in seal
    shot(page, "ara-browser", docs=True)
    page.get_by_role("link", name=study.claim).click()
    assert "raises k-NN accuracy on wine to 0.95" in page.locator(".statement").inner_text()
    assert page.locator(".integrity.matches").count() == 2
    figure = page.get_by_role("img", name=f"Evidence figure accuracy.png for claim {study.claim}")
    assert figure.evaluate("img => img.decode().then(() => img.naturalWidth)") > 100
    history = page.locator("ol.history").inner_text()
    assert "claim.add" in history and "evidence.add" in history
    shot(page, "claim-evidence-study")
    page.get_by_role("link", name=study.metrics).click()
    assert '"condition": "standardised"' in page.locator("pre.filetext").inner_text()
    assert "sha256 matches" in page.locator("#main").inner_text()
    shot(page, "evidence-file")


def test_changed_evidence_is_flagged(page, server, study):
    target = server.app.aras.paths(study.slug).root / study.metrics
    target.write_text(target.read_text() + '{"condition": "raw", "seed": 9, "value": 1}\n')
    login(page, server, f"/aras/{study.slug}/claims/{study.claim}")
    assert page.locator(".integrity.changed").inner_text() == "CHANGED since recorded"


def test_paper_links_claims_and_escapes_html(page, server, study):
    login(page, server, f"/aras/{study.slug}/paper")
    paper = page.locator("article.paper")
    assert paper.locator("script, b").count() == 0
    assert "<b>does not</b>" in paper.inner_text()  # shown as text, never as markup
    assert (
        paper.get_by_role("img").first.evaluate("img => img.decode().then(() => img.naturalWidth)")
        > 100
    )
    paper.get_by_role("link", name=f"[claim:{study.null_claim}]").click()
    page.wait_for_url(f"**/aras/{study.slug}/claims/{study.null_claim}")
    page.goto(server.url(f"/aras/{study.slug}/traces"))
    tree = page.locator("ul.tree").inner_text().lower()
    assert "dead end" in tree and "cosine distance" in tree
    assert "scale first" in page.locator("#trace-F0001").inner_text()
    shot(page, "traces")


def test_package_download_and_verification(page, server, study, tmp_path):
    frozen = server.app.packages.freeze(study.slug)
    login(page, server, f"/aras/{study.slug}/packages")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    saved = tmp_path / "downloaded.zip"
    download.value.save_as(saved)
    assert saved.read_bytes() == frozen.zip_path.read_bytes()
    assert verify(saved).ok
    page.get_by_role("button", name=f"Verify {frozen.name}").click()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "ok"
    assert "Signed by this workspace\nyes" in page.locator("dl.fields").inner_text()
    page.get_by_role("link", name="Back to the packages").click()
    page.get_by_label("Package ZIP").set_input_files(str(saved))
    page.get_by_role("button", name="Verify upload").click()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "ok"
    assert "Verification of downloaded.zip" in page.locator("h2").inner_text()
    shot(page, "verify-report")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(tampered, "w") as sink:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == study.metrics:
                data = data.replace(b"0.95", b"0.99")
            sink.writestr(info, data)
    page.go_back()
    page.get_by_label("Package ZIP").set_input_files(str(tampered))
    page.get_by_role("button", name="Verify upload").click()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "failed"
    assert study.metrics in page.locator("ul.problems").inner_text()


def test_every_post_form_carries_a_csrf_token(page, server, study):
    project = create_project(server.app, brief="Scaling k-NN features on wine, compared.")
    server.app.packages.freeze(study.slug)
    login(page, server)
    server.app.landscape.propose(ara=study.slug, claim=study.claim)
    pages = [
        "/", "/projects/new", f"/projects/{project.id}", f"/projects/{project.id}/review",
        f"/aras/{study.slug}/packages", "/approvals", "/settings/providers",
        f"/aras/{study.slug}", f"/aras/{study.slug}/claims/{study.claim}", "/landscape",
        "/matrices", "/metrics",
    ]  # fmt: skip
    checked = 0
    for path in pages:
        page.goto(server.url(path))
        for form in page.locator('form[method="post"]').all():
            value = form.locator('input[name="csrf_token"]').get_attribute("value")
            assert value and len(value) == 64, f"{path}: a form without a CSRF token"
            checked += 1
    assert checked >= 14


def test_main_pages_at_phone_width(browser, page, server, study):
    project = create_project(
        server.app, brief="Scaling k-NN features on wine, compared.", hitl=True
    )
    approvals.request_approval(
        server.app, project_id=project.id, gate="post_shortlist", summary="1 idea shortlisted"
    )
    with server.app.database.session() as session:
        research.record_run(
            session, project_id=project.id, spec_id="S1", condition="standardised", seed=0,
            phase="pilot", attempt=1, run_id="run-0001", result_class="succeeded_valid",
            metrics_path=None, metrics_sha256=None, cpu_s=1.2, error=None,
        )  # fmt: skip
    login(page, server)
    assert "run-0001" in page.locator("#h-runs + div").inner_text()
    assert "post shortlist" in page.locator("section", has_text="Pending approvals").inner_text()
    shot(page, "dashboard", docs=True)
    cookies = page.context.cookies()
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        phone.add_cookies(cookies)
        small = phone.new_page()
        for path, name in (
            ("/", "phone-dashboard"),
            (f"/projects/{project.id}", "phone-project"),
            (f"/aras/{study.slug}/claims/{study.claim}", "phone-claim"),
            (f"/aras/{study.slug}", "phone-ara"),
        ):
            small.goto(server.url(path))
            overflow = small.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways at phone width ({overflow}px)"
            shot(small, name, docs=True)
    finally:
        phone.close()


def test_landscape_files_are_shown_safely(page, server):
    known = server.app.workspace.landscape_dir / "known-results" / "scaling.md"
    known.write_text("# Scaling helps k-NN\n\nSee [the note](../hypotheses/h.md). <i>x</i>\n")
    login(page, server, "/landscape/files/known-results/scaling.md")
    article = page.locator("article.paper")
    assert article.get_by_role("heading", name="Scaling helps k-NN").is_visible()
    assert article.get_by_role("link", name="the note").get_attribute("href") == (
        "/landscape/files/hypotheses/h.md"
    )
    assert article.locator("i").count() == 0
    page.get_by_role("link", name="Settings").click()
    assert page.locator("#h-mode .badge").inner_text() == "mock"
    assert page.locator("#provider-mock").is_visible()


def test_validate_and_freeze_from_the_ara_pages(page, server, study):
    login(page, server, f"/aras/{study.slug}")
    page.get_by_role("link", name="Validate the files").click()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "ok"
    assert "2 claims, 2 traces" in page.locator("main").inner_text()
    claim = server.app.aras.paths(study.slug).root / "claims" / f"{study.claim}.yaml"
    claim.write_text(claim.read_text().replace("kind: comparison", "kind: hunch"))
    page.reload()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "invalid"
    assert f"claims/{study.claim}.yaml" in page.locator("ul.problems").inner_text()
    claim.write_text(claim.read_text().replace("kind: hunch", "kind: comparison"))

    page.goto(server.url(f"/aras/{study.slug}"))
    page.get_by_role("link", name="Freeze a package").click()
    page.get_by_role("button", name=f"Freeze {study.slug}").click()
    assert "Package frozen and signed" in page.locator("p.notice").inner_text()
    (frozen,) = server.app.packages.list(study.slug)
    page.get_by_role("button", name=f"Verify {frozen.name}").click()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "ok"
