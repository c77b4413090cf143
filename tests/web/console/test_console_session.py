"""Getting in and staying safe: login by token or one-time link, session cookie flags, CSRF
on every form, security headers, and the API refusing cookie-only mutations without CSRF."""

import re

import httpx
import pytest
from console_browser import login, shot

pytestmark = pytest.mark.browser
BRIEF = "Compare k-NN with and without feature standardisation on the wine dataset."


def test_pages_redirect_to_login_and_the_token_logs_in(page, server):
    page.goto(server.url("/projects/new"))
    assert page.url == server.url("/login?next=/projects/new")
    shot(page, "login")
    page.get_by_label("Workspace token").fill("not-the-token")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text() == "That is not the workspace token."
    page.get_by_label("Workspace token").fill(server.token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server.url("/projects/new"))
    assert page.get_by_role("heading", name="New project").is_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["researchos_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert cookies["researchos_csrf"]["httpOnly"]
    assert page.evaluate("document.cookie") == ""  # nothing readable by scripts
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto(server.url("/"))
    assert page.url.startswith(server.url("/login"))


def test_one_time_link_works_once(page, server):
    code = server.api.state.login_links.issue()
    assert code != server.token
    page.goto(server.url(f"/login?token={code}&next=/aras"))
    page.wait_for_url(server.url("/aras"))
    assert page.get_by_role("heading", name="Agent-Native Research Artifacts").is_visible()
    other = page.context.browser.new_context()
    try:
        again = other.new_page()
        response = again.goto(server.url(f"/login?token={code}"))
        assert response.status == 403
        assert "not valid" in again.get_by_role("alert").inner_text()
        assert not [c for c in other.cookies() if c["name"] == "researchos_session"]
    finally:
        other.close()


def test_login_next_cannot_leave_the_site(page, server):
    code = server.api.state.login_links.issue()
    page.goto(server.url(f"/login?token={code}&next=//evil.example/x"))
    assert page.url == server.url("/")


def test_forms_need_the_csrf_token(page, server):
    login(page, server)
    refused = page.request.post(server.url("/projects/new"), multipart={"brief": BRIEF})
    assert refused.status == 403 and "CSRF" in refused.text()
    wrong = page.request.post(
        server.url("/projects/new"), multipart={"brief": BRIEF, "csrf_token": "0" * 64}
    )
    assert wrong.status == 403
    with server.app.database.session() as session:
        from researchos.store import projects

        assert projects.list_projects(session) == []
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    accepted = page.request.post(
        server.url("/projects/new"),
        multipart={"brief": BRIEF, "csrf_token": token, "mode": "mock"},
        max_redirects=0,
    )
    assert accepted.status == 303 and "/projects/" in accepted.headers["location"]


def test_api_refuses_cookie_only_mutations_without_csrf(page, server):
    login(page, server)
    refused = page.request.post(server.url("/api/projects"), data={"brief": BRIEF})
    assert refused.status == 403 and "CSRF" in refused.json()["message"]
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    made = page.request.post(
        server.url("/api/projects"), data={"brief": BRIEF}, headers={"x-researchos-csrf": token}
    )
    assert made.status == 201
    bearer = httpx.post(
        server.url("/api/projects"),
        json={"brief": BRIEF},
        headers={"Authorization": f"Bearer {server.token}"},
    )
    assert bearer.status_code == 201  # scripts with the token need no CSRF token


def test_security_headers(page, server):
    response = page.goto(server.url("/login"))
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    api = httpx.get(server.url("/api/health"))
    assert "sandbox" in api.headers["content-security-policy"]
    assert api.headers["x-content-type-options"] == "nosniff"


def test_keyboard_reaches_the_skip_link_and_main(page, server):
    login(page, server)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
