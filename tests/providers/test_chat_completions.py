"""OpenAI-compatible servers declared in providers.yaml (llama.cpp, Ollama, vLLM, LM Studio)."""

from __future__ import annotations

import pytest
from conftest import MakeApp, servers_yaml
from provider_fakes import FakeUpstream
from pydantic import BaseModel, ConfigDict

from researchos.errors import ConfigError, InputError, ProviderError
from researchos.providers import ModelRequest


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ok: bool
    note: str


@pytest.fixture
def local(upstream: FakeUpstream) -> FakeUpstream:
    upstream.key = None  # a local server without authentication
    return upstream


def test_a_declared_server_serves_every_tier_with_no_code(
    make_app: MakeApp, local: FakeUpstream
) -> None:
    app = make_app(servers=servers_yaml(f"{local.url}/v1"))

    response = app.router.call("drafting", ModelRequest.of("hello", system="be brief"))

    assert app.router.mode == "production"  # auto: a local server is configured
    assert response.text == "Hello from llama3.1:8b."
    assert response.routing["provider"] == "local" and response.routing["cost_usd"] == 0.0
    sent = local.requests[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["messages"][0] == {"role": "system", "content": "be brief"}
    assert sent.body["max_tokens"] == 16384
    assert "authorization" not in sent.headers


def test_json_schema_mode_sends_response_format(make_app: MakeApp, local: FakeUpstream) -> None:
    app = make_app(servers=servers_yaml(f"{local.url}/v1"))

    response = app.router.call("review", ModelRequest.of("x", schema=Finding))

    assert response.data == Finding(ok=True, note="fake upstream")
    fmt = local.requests[-1].body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True


def test_prompt_mode_puts_the_schema_in_the_prompt_and_parses_fenced_json(
    make_app: MakeApp, local: FakeUpstream
) -> None:
    app = make_app(servers=servers_yaml(f"{local.url}/v1", structured_output="prompt"))
    local.reply("llama3.1:8b", '```json\n{"ok": false, "note": "fenced"}\n```')

    response = app.router.call("review", ModelRequest.of("x", schema=Finding))

    assert response.data == Finding(ok=False, note="fenced")
    body = local.requests[-1].body
    assert "response_format" not in body
    assert "JSON Schema" in body["messages"][0]["content"]
    assert response.routing["structured"] == "prompt"


def test_json_object_mode(make_app: MakeApp, local: FakeUpstream) -> None:
    app = make_app(servers=servers_yaml(f"{local.url}/v1", structured_output="json_object"))

    app.router.call("review", ModelRequest.of("x", schema=Finding))

    assert local.requests[-1].body["response_format"] == {"type": "json_object"}


def test_a_server_key_comes_from_the_secret_store(
    make_app: MakeApp, upstream: FakeUpstream
) -> None:
    assert upstream.key
    app = make_app(servers=servers_yaml(f"{upstream.url}/v1", key_name="VLLM_KEY"))
    app.secrets.set("VLLM_KEY", upstream.key)

    app.router.call("drafting", ModelRequest.of("x"))

    assert upstream.requests[-1].headers["authorization"] == f"Bearer {upstream.key}"


def test_a_declared_key_that_is_missing_names_the_fix(
    make_app: MakeApp, upstream: FakeUpstream
) -> None:
    app = make_app(servers=servers_yaml(f"{upstream.url}/v1", key_name="VLLM_KEY"))

    with pytest.raises(ConfigError, match="researchos secrets set VLLM_KEY"):
        app.router.call("drafting", ModelRequest.of("x"))
    assert upstream.requests == []


def test_unknown_model_on_an_ollama_style_server_is_a_model_error(
    make_app: MakeApp, local: FakeUpstream
) -> None:
    env = {"RESEARCHOS_MODEL_DRAFTING": "local:mistral:7b"}
    app = make_app(env, servers=servers_yaml(f"{local.url}/v1"))

    with pytest.raises(ProviderError) as caught:
        app.router.call("drafting", ModelRequest.of("x"))

    assert caught.value.category == "model_error"
    assert local.requests[-1].body["model"] == "mistral:7b"


def test_a_base_url_without_v1_is_a_config_error(make_app: MakeApp, local: FakeUpstream) -> None:
    app = make_app(servers=servers_yaml(local.url))  # missing /v1: the path 404s with HTML

    with pytest.raises(ProviderError) as caught:
        app.router.call("drafting", ModelRequest.of("x"))

    assert caught.value.category == "config_error"
    assert "base URL" in str(caught.value)


def test_server_errors_are_retried(make_app: MakeApp, local: FakeUpstream) -> None:
    local.script("llama3.1:8b", "500", "ok")
    app = make_app(servers=servers_yaml(f"{local.url}/v1"))

    response = app.router.call("drafting", ModelRequest.of("x"))

    assert response.routing["attempts"] == 2


def test_embeddings_use_the_servers_embedding_model(make_app: MakeApp, local: FakeUpstream) -> None:
    app = make_app(servers=servers_yaml(f"{local.url}/v1", embedding_model="nomic-embed-text"))

    vectors = app.router.embed(["one", "three"])

    assert len(vectors) == 2 and vectors[1][0] == 5.0
    assert local.requests[-1].body["model"] == "nomic-embed-text"


def test_a_server_without_embeddings_falls_back_to_hashing_vectors_visibly(
    make_app: MakeApp, local: FakeUpstream
) -> None:
    app = make_app(servers=servers_yaml(f"{local.url}/v1"))

    route = app.router.policy.route("embedding")
    vectors = app.router.embed(["offline search still works"])

    assert (route.endpoint, route.flags) == ("mock", ("embedding_fallback",))
    assert "has no embeddings" in route.source
    assert len(vectors[0]) == 256 and local.requests == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("servers: [oops", "malformed YAML"),
        ("servers:\n  local:\n    base_url: http://x/v1\n", "servers.local.models"),
        ("servers:\n  local:\n    base_url: ftp://x\n    models: [m]\n", "servers.local.base_url"),
        (
            "servers:\n  local:\n    base_url: http://x/v1\n    models: [m]\n    colour: red\n",
            "servers.local.colour",
        ),
        ("servers:\n  openai:\n    base_url: http://x/v1\n    models: [m]\n", "reserved"),
        (
            "servers:\n  local:\n    base_url: http://x/v1\n    models: [m]\n    kind: grpc\n",
            "unknown provider kind 'grpc'",
        ),
    ],
)
def test_bad_providers_yaml_names_the_file_and_field(
    make_app: MakeApp, text: str, message: str
) -> None:
    app = make_app(servers=text)

    with pytest.raises(InputError) as caught:
        _ = app.router

    assert message in str(caught.value)
    assert "providers.yaml" in str(caught.value)
