"""Fixtures for provider tests: a fake upstream on loopback and apps wired to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from provider_fakes import FakeUpstream

from researchos.app import App, build_app
from researchos.settings import load_settings

# small retry delays and timeouts keep failure tests fast while still exercising backoff
FAST_ENV = {
    "RESEARCHOS_PROVIDER_RETRY_BACKOFF": "0.01",
    "RESEARCHOS_PROVIDER_TIMEOUT": "2",
    "RESEARCHOS_PROVIDER_MAX_RETRIES": "2",
}
MakeApp = Callable[..., App]


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def openai_env(upstream: FakeUpstream) -> dict[str, str]:
    assert upstream.key
    return {"RESEARCHOS_OPENAI_BASE_URL": f"{upstream.url}/v1", "OPENAI_API_KEY": upstream.key}


@pytest.fixture
def anthropic_env(upstream: FakeUpstream) -> dict[str, str]:
    assert upstream.key
    return {"RESEARCHOS_ANTHROPIC_BASE_URL": upstream.url, "ANTHROPIC_API_KEY": upstream.key}


def servers_yaml(url: str, **fields: object) -> str:
    """providers.yaml declaring one server ``local`` at ``url``."""
    lines = [
        "format_version: 1",
        "servers:",
        "  local:",
        f"    base_url: {url}",
        "    models: [llama3.1:8b, qwen2.5:7b]",
    ]
    lines += [f"    {key}: {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_app(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> Iterator[MakeApp]:
    """Build an app from env vars (plus FAST_ENV), optionally with a providers.yaml."""
    apps: list[App] = []

    def build(env: dict[str, str] | None = None, *, servers: str | None = None) -> App:
        for key, value in {**FAST_ENV, **(env or {})}.items():
            monkeypatch.setenv(key, value)
        app = build_app(load_settings(), create=True)
        if servers is not None:  # the router is built lazily, after this file exists
            (app.workspace.system_dir / "providers.yaml").write_text(servers, "utf-8")
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()
