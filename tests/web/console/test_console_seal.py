"""Seal from the ARA page: the chosen levels run in the background through SealService, the
page follows the check that runs and then shows the new seal block of ara.yaml."""

from __future__ import annotations

import threading

import pytest
from console_browser import build_study, login, shot

from researchos.history.commits import read_log
from researchos.seal import service

pytestmark = pytest.mark.browser


@pytest.fixture
def held_level(monkeypatch):
    """Each level waits for the test after its checks ran, so the page is seen mid-seal."""
    release = threading.Event()
    real = service.run_level

    def run_level(ctx, level, progress=None):
        result = real(ctx, level, progress)
        if not release.wait(30):
            raise TimeoutError("the test never released the seal")
        return result

    monkeypatch.setattr(service, "run_level", run_level)
    yield release
    release.set()


def test_seal_runs_from_the_ara_page(page, server, tmp_path, held_level) -> None:
    study = build_study(server.app, tmp_path)
    login(page, server, f"/aras/{study.slug}")
    block = page.locator("section", has=page.get_by_role("heading", name="Seal"))
    assert "L1 structure: passed" in block.inner_text()  # as recorded by build_study
    page.get_by_label("L2 rigour").uncheck()
    page.get_by_label("L3 reproduction").uncheck()
    page.get_by_role("button", name=f"Seal {study.slug}").click()
    # the page follows the check that runs (L1's last, while the level is held)
    page.get_by_role("status").filter(has_text="Sealing (L1): L1 l1.").wait_for()
    assert page.get_by_role("button", name=f"Seal {study.slug}").is_disabled()
    held_level.set()
    page.get_by_role("status").filter(has_text="Seal of L1 done").wait_for()
    text = block.inner_text()
    assert "L1 structure: failed" in text and "[l1.evidence]" in text
    assert "L2 review: failed" in text  # levels not run keep their earlier result
    assert "seal_started" not in page.url
    shot(page, "ara-sealed")
    seal = read_log(server.app.workspace.git, event="ara.seal", limit=1)
    assert seal and seal[0].summary.startswith("seal")
    page.get_by_role("link", name="review packet").click()
    assert "Review packet" in page.locator("main").inner_text()


def test_seal_needs_a_level(page, server, tmp_path) -> None:
    study = build_study(server.app, tmp_path)
    login(page, server, f"/aras/{study.slug}")
    for n, name in ((1, "structure"), (2, "rigour"), (3, "reproduction")):
        page.get_by_label(f"L{n} {name}").uncheck()
    page.get_by_role("button", name=f"Seal {study.slug}").click()
    assert "choose at least one seal level" in page.get_by_role("alert").inner_text()
    assert read_log(server.app.workspace.git, event="ara.seal", limit=1) == []
