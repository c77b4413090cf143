"""The Anthropic Messages adapter against a loopback server speaking its wire format."""

from __future__ import annotations

import pytest
from conftest import MakeApp
from provider_fakes import FakeUpstream
from pydantic import BaseModel, ConfigDict

from researchos.errors import ProviderError
from researchos.providers import ModelRequest


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ok: bool
    note: str


def test_text_call_uses_alias_thinking_budget_and_drops_temperature(
    make_app: MakeApp, upstream: FakeUpstream, anthropic_env: dict[str, str]
) -> None:
    app = make_app({**anthropic_env, "RESEARCHOS_MODEL_BALANCED": "claude-sonnet-4-5"})

    response = app.router.call("idea_generation", ModelRequest.of("ideas?", system="be bold"))

    assert response.text == "Hello from claude-sonnet-4-5-20250929."
    sent = upstream.requests[-1]
    assert sent.path == "/v1/messages"
    assert sent.headers["x-api-key"] == upstream.key
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.body["model"] == "claude-sonnet-4-5-20250929"  # alias -> dated wire id
    assert sent.body["system"] == "be bold"
    assert sent.body["thinking"] == {"type": "enabled", "budget_tokens": 8192}
    assert sent.body["max_tokens"] == 4096 + 8192
    assert "temperature" not in sent.body  # idea_generation asks 1.0; not allowed while thinking
    routing = response.routing
    assert (routing["requested_model"], routing["wire_model"]) == (
        "claude-sonnet-4-5",
        "claude-sonnet-4-5-20250929",
    )
    assert routing["cost_usd"] == pytest.approx(
        (response.usage.input_tokens * 3 + response.usage.output_tokens * 15) / 1e6
    )


def test_structured_output_is_a_forced_tool_call_without_thinking(
    make_app: MakeApp, upstream: FakeUpstream, anthropic_env: dict[str, str]
) -> None:
    app = make_app({**anthropic_env, "RESEARCHOS_MODEL_STRONG": "claude-opus-4-1"})
    upstream.reply("claude-opus-4-1-20250805", '{"ok": true, "note": "sound"}')

    response = app.router.call("review", ModelRequest.of("review", schema=Verdict))

    assert response.data == Verdict(ok=True, note="sound")
    body = upstream.requests[-1].body
    assert body["tool_choice"] == {"type": "tool", "name": "Verdict"}
    assert body["tools"][0]["input_schema"]["properties"]["ok"]["type"] == "boolean"
    assert "thinking" not in body
    assert any("forced tool output" in d for d in response.routing["dropped"])


def test_tool_input_that_does_not_validate_is_repaired_once(
    make_app: MakeApp, upstream: FakeUpstream, anthropic_env: dict[str, str]
) -> None:
    app = make_app({**anthropic_env, "RESEARCHOS_MODEL_BALANCED": "claude-sonnet-4-5"})
    upstream.reply("claude-sonnet-4-5-20250929", '{"ok": true}', '{"ok": true, "note": "now"}')

    response = app.router.call("drafting", ModelRequest.of("x", schema=Verdict))

    assert response.data == Verdict(ok=True, note="now")
    assert response.routing["repairs"] == 1


@pytest.mark.parametrize(
    ("model", "category", "requests"),
    [
        ("claude-unknown-9", "model_error", 1),
        ("fail-429", "provider_error", 3),
        ("fail-529", "provider_error", 3),  # overloaded: retried
        ("fail-500", "provider_error", 3),
        ("fail-400", "provider_error", 1),
        ("fail-malformed", "provider_error", 1),
        ("fail-hang", "network_error", 3),
    ],
)
def test_failures_map_to_categories(
    make_app: MakeApp,
    upstream: FakeUpstream,
    anthropic_env: dict[str, str],
    model: str,
    category: str,
    requests: int,
) -> None:
    env = {**anthropic_env, "RESEARCHOS_MODEL_DRAFTING": f"anthropic:{model}"}
    app = make_app({**env, "RESEARCHOS_PROVIDER_TIMEOUT": "0.3"})

    with pytest.raises(ProviderError) as caught:
        app.router.call("drafting", ModelRequest.of("x"))

    assert caught.value.category == category
    assert upstream.count(model) == requests


def test_wrong_key_is_an_auth_error_without_the_key_in_the_message(
    make_app: MakeApp, upstream: FakeUpstream, anthropic_env: dict[str, str]
) -> None:
    app = make_app({**anthropic_env, "ANTHROPIC_API_KEY": "ant-wrong-key-998877"})

    with pytest.raises(ProviderError) as caught:
        app.router.call("drafting", ModelRequest.of("x"))

    assert caught.value.category == "auth_error"
    assert "ant-wrong-key-998877" not in str(caught.value)
    assert "researchos secrets set ANTHROPIC_API_KEY" in str(caught.value)


def test_anthropic_only_setups_embed_with_flagged_hashing_vectors(
    make_app: MakeApp, upstream: FakeUpstream, anthropic_env: dict[str, str]
) -> None:
    app = make_app(anthropic_env)

    vectors = app.router.embed(["a b", "a b"])

    assert vectors[0] == vectors[1]
    route = app.router.policy.route("embedding")
    assert route.endpoint == "mock" and "embedding_fallback" in route.flags
    assert upstream.count(path="/v1/embeddings") == 0
