"""Settings → Providers against a loopback server speaking the OpenAI Responses wire format:
a key added in the modal is stored, tested (auth_error, then ok after replacing it) and never
appears in a page, a cookie, browser storage, the logs or the database."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from console_browser import login, shot

from researchos.app import build_app
from researchos.settings import load_settings

pytestmark = pytest.mark.browser
RIGHT = "sk-console-right-4f9a2c7e1b"
WRONG = "sk-console-wrong-8d3e6a0f5c"


class Upstream(BaseHTTPRequestHandler):
    presented: list[str] = []

    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        key = self.headers.get("authorization", "").removeprefix("Bearer ")
        Upstream.presented.append(key)
        if self.path != "/v1/responses":
            return self._reply(404, {"error": {"message": "not found"}})
        if key != RIGHT:  # a careless upstream that echoes the key it was given
            error = {"message": f"Incorrect API key provided: {key}.", "type":
                     "invalid_request_error", "code": "invalid_api_key"}  # fmt: skip
            return self._reply(401, {"error": error})
        return self._reply(200, {
            "id": "resp_1", "object": "response", "status": "completed", "model": body["model"],
            "output": [{"type": "message", "role": "assistant",
                        "content": [{"type": "output_text", "text": "OK"}]}],
            "usage": {"input_tokens": 7, "output_tokens": 1, "total_tokens": 8},
        })  # fmt: skip

    def _reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Upstream.presented = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def app(clean_env, monkeypatch, upstream):
    monkeypatch.setenv("RESEARCHOS_OPENAI_BASE_URL", f"{upstream}/v1")
    application = build_app(load_settings(), create=True)
    yield application
    application.close()


def _save_key(page, value: str) -> None:
    card = page.locator("#provider-openai")
    card.get_by_role("button", name=re.compile("(Add|Replace) key")).click()
    dialog = page.get_by_role("dialog")
    assert dialog.is_visible()
    dialog.get_by_label("API key").fill(value)
    assert dialog.get_by_label("Test it now").is_checked()
    dialog.get_by_role("button", name="Save key").click()
    page.wait_for_url("**/settings/providers?notice=key_stored#provider-openai")


def _everywhere_but_the_upstream(page, server, capfd) -> str:
    """Every place the key must never reach, as one text."""
    storage = page.evaluate("JSON.stringify([localStorage, sessionStorage])")
    cookies = json.dumps(page.context.cookies())
    var = server.app.workspace.var_dir
    logs = "".join(p.read_text(errors="replace") for p in (var / "logs").glob("*.log"))
    database = server.app.workspace.db_path.read_bytes().decode("latin-1")
    captured = capfd.readouterr()
    return "\n".join([page.content(), storage, cookies, logs, database, captured.out, captured.err])


def test_key_added_in_the_modal_is_tested_and_never_shown(page, server, capfd):
    login(page, server, "/settings/providers")
    assert (
        "auto: no provider key or local server is configured" in page.locator("#main").inner_text()
    )
    assert page.locator("tbody tr").count() >= 5  # the effective policy, one row per phase
    page.get_by_role("button", name="Test mock").click()
    assert "ok" in page.locator('[data-check="mock"]').inner_text()

    card = page.locator("#provider-openai")
    card.get_by_role("button", name="Add key").click()
    page.get_by_role("dialog").get_by_label("API key").fill("sk-typed-then-cancelled-000")
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    card.get_by_role("button", name="Add key").click()
    assert page.get_by_role("dialog").get_by_label("API key").input_value() == ""
    page.keyboard.press("Escape")

    _save_key(page, WRONG)
    check = page.locator('[data-check="openai"]').inner_text()
    assert "auth error" in check and WRONG not in check
    assert "OPENAI_API_KEY: secret store" in card.inner_text()
    _save_key(page, RIGHT)
    check = page.locator('[data-check="openai"]').inner_text()
    assert check.startswith("ok") and "answered" in check, check
    assert Upstream.presented[-2:] == [WRONG, RIGHT]  # the replaced key was used at once
    shot(page, "settings-providers", docs=True)

    seen = _everywhere_but_the_upstream(page, server, capfd)
    for secret in (WRONG, RIGHT, "sk-typed-then-cancelled-000"):
        assert secret not in seen
    assert server.app.secrets.get("OPENAI_API_KEY") == RIGHT
