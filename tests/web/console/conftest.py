"""Browser fixtures: a real uvicorn server on a free loopback port and Debian's Chromium.

The Playwright sync API keeps an event loop half-running in the test thread, so the browser
lives for one module only (not the session) and cannot disturb asyncio in other tests.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from console_browser import DESKTOP

from researchos.pipeline import stages
from researchos.web.api import create_api
from researchos.workspace.setup import read_token

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Server:
    base: str
    api: Any
    app: Any

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    @property
    def token(self) -> str:
        return read_token(self.app.workspace)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(app) -> Iterator[Server]:
    api = create_api(app)
    port = _free_port()
    config = uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning")
    config.timeout_graceful_shutdown = 2
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not uv.started and time.time() < deadline:
        time.sleep(0.02)
    assert uv.started, "uvicorn did not start"
    try:
        yield Server(f"http://127.0.0.1:{port}", api, app)
    finally:
        uv.should_exit = True
        thread.join(10)


@dataclass
class Watch:
    """What the page reported: console errors (CSP violations show up here) and page errors."""

    errors: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser, server) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    watch = Watch()
    tab.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    tab.watch = watch
    yield tab
    context.close()
    csp = [e for e in watch.errors if "Content Security Policy" in e]
    assert not csp, f"the page broke its own CSP: {csp}"


@dataclass
class Probe:
    """A registered test stage: reports progress, then waits for the test to release it."""

    release: threading.Event = field(default_factory=threading.Event)
    steps: int = 3


@pytest.fixture
def probe_stage(monkeypatch) -> Iterator[Callable[..., Probe]]:
    """Make ``probe`` the only registered stage (the real registry is back after the test)."""
    made: list[Probe] = []

    def register(
        *, gate_after: str | None = None, work: Callable[[Any, Probe], None] | None = None
    ) -> Probe:
        probe = Probe()

        def run(context: Any) -> dict[str, Any]:
            context.report("probe step 1/3", 1 / 3)
            if not probe.release.wait(20):
                raise TimeoutError("the test never released the probe stage")
            if work is not None:
                work(context, probe)
            context.report("probe step 2/3", 2 / 3)
            context.report("probe step 3/3", 1.0)
            return {"summary": "The probe stage ran; review its output."}

        definition = stages.StageDef(
            name="probe", order=10, func=run, gate_after=gate_after, description="Test stage"
        )
        # only the probe runs: the built-in stages stay registered, but out of this test's way
        monkeypatch.setattr(stages, "BUILTIN_STAGE_MODULES", ())
        monkeypatch.setattr(stages, "_REGISTRY", {"probe": definition})
        made.append(probe)
        return probe

    yield register
    for probe in made:  # never leave a worker thread waiting after a failed test
        probe.release.set()
