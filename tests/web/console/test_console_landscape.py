"""The research landscape in Chromium: a claim proposed from an ARA is merged by a person and
shows up among the known results; a contradicting claim arrives contested; another proposal is
rejected with a reason (none is refused); a server acting as an agent cannot merge at all."""

from __future__ import annotations

import pytest
from console_browser import PHONE, build_study, login, shot

from researchos.history.commits import read_log

pytestmark = pytest.mark.browser


@pytest.fixture
def study(server, tmp_path):
    return build_study(server.app, tmp_path)


def _lower_claim(app, slug: str) -> str:
    """A claim that contradicts the study's headline: same dataset, disjoint interval."""
    claim = app.aras.add_claim(
        slug,
        {
            "statement": "Standardising features leaves k-NN accuracy on wine at 0.70.",
            "kind": "comparison",
            "status": "supported",
            "conditions": {"metric": "accuracy", "dataset": "wine"},
            "numbers": [
                {"value": 0.70, "metric": "accuracy", "ci_low": 0.66, "ci_high": 0.74, "n": 3}
            ],
        },
    )
    return claim.id


def _events(app) -> list[str]:
    return [h.event for h in read_log(app.workspace.git) if h.event.startswith("landscape")]


def test_merge_reject_and_a_contested_claim_in_the_browser(page, server, study) -> None:
    app = server.app
    app.landscape.propose(ara=study.slug, claim=study.claim, rationale="three seeds")
    login(page, server, f"/aras/{study.slug}/claims/{study.null_claim}")
    # the null result is proposed from its claim page, as a hypothesis
    page.get_by_label("Propose as").select_option("hypothesis")
    page.get_by_role("button", name=f"Propose {study.null_claim} for the landscape").click()
    assert "Proposed for the landscape" in page.locator("p.notice").inner_text()
    first = page.locator("#proposal-P0001")
    assert "Standardising features raises k-NN accuracy" in first.inner_text()
    assert "accuracy = 0.95 [0.93, 0.97] (positive), n=3" in first.inner_text()
    assert first.locator(".integrity.matches").count() == 2
    assert first.get_by_role("link", name=f"{study.slug}/{study.claim}").is_visible()
    assert "hypothesis" in page.locator("#prop-P0002").inner_text()

    first.get_by_role("button", name="Merge P0001").click()
    assert "Merged into the landscape" in page.locator("p.notice").inner_text()
    known = page.locator('table[data-section="known"]')
    assert "E0001" in known.inner_text() and "raises k-NN accuracy" in known.inner_text()
    assert page.locator("#proposal-P0001").count() == 0

    # rejecting needs a reason: the page says so at the form, and nothing is committed
    before = _events(app)
    page.locator("#proposal-P0002").get_by_role("button", name="Reject P0002").click()
    error = page.locator("#error-P0002")
    assert "a reason is required" in error.inner_text()
    assert page.get_by_label("Reason", exact=False).first.get_attribute("aria-invalid") == "true"
    assert _events(app) == before
    page.locator("#reason-P0002").fill("one neighbour count only; not a finding yet")
    page.get_by_role("button", name="Reject P0002").click()
    assert "Proposal rejected" in page.locator("p.notice").inner_text()
    decided = page.locator("#decided-P0002").inner_text()
    assert "rejected" in decided and "one neighbour count only" in decided

    # a contradicting claim, proposed by an agent, arrives contested
    lower = _lower_claim(app, study.slug)
    app.landscape.propose(ara=study.slug, claim=lower, actor="agent:analyst")
    page.goto(server.url("/landscape"))
    third = page.locator("#proposal-P0003")
    assert "contested" in page.locator("#prop-P0003").inner_text()
    checks = third.locator("ul.contradictions").inner_text()
    assert "E0001: confirmed" in checks and "ci_disjoint" in checks
    assert "Dual-model review done" in third.inner_text()
    shot(page, "landscape", docs=True)
    third.get_by_role("button", name="Merge P0003").click()
    hypotheses = page.locator('table[data-section="hypotheses"]').inner_text()
    assert "E0002" in hypotheses and "contested" in hypotheses and "contradicts E0001" in hypotheses
    assert "contested by E0002" in page.locator("#entry-E0001").inner_text()
    assert _events(app)[:4] == [
        "landscape.merge", "landscape.propose", "landscape.reject", "landscape.merge"
    ]  # fmt: skip

    # retract the contested hypothesis from its page
    page.get_by_role("link", name="E0002").first.click()
    page.get_by_label("refuted").check()
    page.get_by_label("Note").fill("re-run with five seeds agrees with E0001")
    page.get_by_role("button", name="Retract E0002").click()
    assert "retracted" in page.locator("#h-retract + p").inner_text()
    page.get_by_role("link", name="Research landscape").click()
    assert "E0002" in page.locator('table[data-section="retracted"]').inner_text()
    entry = app.landscape.entry("E0002")
    assert entry.retraction and entry.retraction.by == "user:user"


def test_landscape_at_phone_width_is_usable_by_keyboard(browser, page, server, study) -> None:
    server.app.landscape.propose(ara=study.slug, claim=study.claim)
    login(page, server, "/landscape")
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        phone.add_cookies(page.context.cookies())
        small = phone.new_page()
        small.goto(server.url("/landscape"))
        overflow = small.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 1, f"/landscape scrolls sideways at phone width ({overflow}px)"
        shot(small, "phone-landscape", docs=True)
    finally:
        phone.close()
    # every control of the proposal is labelled and reachable with Tab
    page.locator("#reason-P0001").focus()
    page.keyboard.type("keyboard only")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Merge P0001"
    page.keyboard.press("Enter")
    page.wait_for_url("**/landscape?notice=landscape_merged#entry-E0001")
    assert server.app.landscape.entry("E0001").status == "established"


@pytest.fixture
def agent_actor(monkeypatch):
    monkeypatch.setenv("RESEARCHOS_ACTOR", "agent:curator")


def test_a_server_acting_as_an_agent_cannot_merge(agent_actor, page, server, study) -> None:
    app = server.app
    assert app.actor == "agent:curator"
    app.landscape.propose(ara=study.slug, claim=study.claim)
    login(page, server, "/landscape")
    assert "not a person" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("button", name="Merge P0001").is_disabled()
    # the disabled button is a courtesy: the form posted anyway is refused by the service
    token = page.locator('#proposal-P0001 input[name="csrf_token"]').get_attribute("value")
    answer = page.request.post(
        server.url("/landscape/proposals/P0001"),
        form={"csrf_token": token or "", "decision": "merge", "reason": "", "actor": "user:x"},
        max_redirects=0,
    )
    assert answer.status == 403 and "needs a person" in answer.text()
    assert [p.id for p in app.landscape.proposals()] == ["P0001"]
    assert app.landscape.entries() == []
    assert _events(app) == ["landscape.propose"]
