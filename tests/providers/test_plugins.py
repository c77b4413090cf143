"""Providers are plugins: a third-party kind registered through the entry-point group works."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MakeApp

from researchos.errors import ConfigError
from researchos.providers import ModelRequest, registry

PLUGIN = """
from researchos.providers.base import EmbedResult, WireResult
from researchos.providers.types import Usage


class Echo:
    def __init__(self, context):
        self.context = context
        self.endpoint = context.endpoint

    def structured_mode(self, model):
        return "prompt"

    def generate(self, call):
        return WireResult(f"{call.model} echoes: {call.messages[-1].content}", Usage(2, 3))

    def embed(self, model, texts):
        return EmbedResult([[1.0, 0.0] for _ in texts], Usage(1, 0))

    def close(self):
        pass


def create(context):
    return Echo(context)
"""


@pytest.fixture
def echo_plugin(tmp_path: Path) -> Iterator[None]:
    """An installed distribution (dist-info + entry point) providing the kind ``echo``."""
    site = tmp_path / "site"
    info = site / "echo_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[researchos.providers]\necho = echo_plugin:create\n")
    (site / "echo_plugin.py").write_text(PLUGIN)
    sys.path.insert(0, str(site))
    registry.refresh()
    yield
    sys.path.remove(str(site))
    sys.modules.pop("echo_plugin", None)
    registry.refresh()


SERVERS = """\
format_version: 1
servers:
  echoer:
    kind: echo
    base_url: http://127.0.0.1:9/v1
    models: [echo-1]
"""


def test_a_third_party_kind_serves_a_declared_server(make_app: MakeApp, echo_plugin: None) -> None:
    app = make_app(servers=SERVERS)

    response = app.router.call("drafting", ModelRequest.of("hello"))

    assert "echo" in registry.kinds()
    assert response.text == "echo-1 echoes: hello"
    assert response.routing["provider_kind"] == "echo"
    assert response.routing["cost_usd"] == 0.0


def test_builtins_are_registered_through_the_same_group() -> None:
    assert set(registry.BUILTIN_KINDS) <= set(registry.kinds())
    assert registry.factory("mock").__module__ == "researchos.providers.mock.provider"


def test_an_unknown_kind_lists_the_registered_ones() -> None:
    with pytest.raises(ConfigError, match="registered kinds: anthropic, mock, openai"):
        registry.factory("grpc")
