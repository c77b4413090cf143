"""The OpenAI Responses adapter against a loopback server speaking its wire format."""

from __future__ import annotations

import time

import pytest
from conftest import MakeApp
from provider_fakes import FakeUpstream
from pydantic import BaseModel, ConfigDict, Field

from researchos.errors import ConfigError, ProviderError
from researchos.providers import ModelRequest
from researchos.store.provider_calls import recent_calls


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ok: bool
    note: str


class LooseVerdict(BaseModel):
    ok: bool
    score: float = Field(default=0.5, ge=0, le=1)


def test_text_call_sends_gated_parameters_and_records_usage(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    app = make_app({**openai_env, "RESEARCHOS_MODEL_BALANCED": "gpt-5"})
    request = ModelRequest.of("Phrase the result.", system="You are careful.")

    response = app.router.call("idea_generation", request, project="p1", ara="demo")

    assert response.text == "Hello from gpt-5."
    assert not response.mock
    sent = upstream.requests[-1]
    assert sent.path == "/v1/responses"
    assert sent.headers["authorization"] == f"Bearer {upstream.key}"
    assert sent.body["instructions"] == "You are careful."
    assert sent.body["input"] == [{"role": "user", "content": "Phrase the result."}]
    assert sent.body["reasoning"] == {"effort": "medium"}
    assert "temperature" not in sent.body  # gpt-5 is a reasoning model: the gate drops it
    routing = response.routing
    assert routing["run_mode"] == "production"
    assert (routing["provider"], routing["wire_model"], routing["tier"]) == (
        "openai",
        "gpt-5",
        "balanced",
    )
    assert any(d.startswith("temperature") for d in routing["dropped"])
    assert response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    assert routing["cost_usd"] > 0
    with app.database.session() as session:
        row = recent_calls(session, limit=1)[0]
    assert (row["project"], row["ara"], row["outcome"]) == ("p1", "demo", "ok")
    assert row["input_tokens"] == response.usage.input_tokens
    assert row["routing"]["wire_model"] == "gpt-5"


def test_structured_output_is_schema_constrained_and_strict_when_possible(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    app = make_app({**openai_env, "RESEARCHOS_MODEL_BALANCED": "gpt-5"})
    upstream.reply("gpt-5", '{"ok": true, "note": "fine"}', '{"ok": false}')

    strict = app.router.call("review", ModelRequest.of("judge", schema=Verdict))
    loose = app.router.call("review", ModelRequest.of("judge", schema=LooseVerdict))

    assert strict.data == Verdict(ok=True, note="fine")
    assert loose.data == LooseVerdict(ok=False)
    first, second = (r.body["text"]["format"] for r in upstream.requests[-2:])
    assert (first["type"], first["name"], first["strict"]) == ("json_schema", "Verdict", True)
    assert second["strict"] is False  # optional field with a default: not the strict subset
    assert strict.routing["structured"] == "json_schema"


def test_invalid_output_gets_exactly_one_repair(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    app = make_app({**openai_env, "RESEARCHOS_MODEL_BALANCED": "gpt-5"})
    upstream.reply("gpt-5", "Sure! Here it is: ok", '{"ok": true, "note": "repaired"}')

    response = app.router.call("drafting", ModelRequest.of("x", schema=Verdict))

    assert response.data == Verdict(ok=True, note="repaired")
    assert response.routing["repairs"] == 1 and response.routing["attempts"] == 2
    repair_turn = upstream.requests[-1].body["input"]
    assert repair_turn[-2] == {"role": "assistant", "content": "Sure! Here it is: ok"}
    assert "does not validate" in repair_turn[-1]["content"]


def test_output_still_invalid_after_repair_is_a_provider_error(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    app = make_app({**openai_env, "RESEARCHOS_MODEL_BALANCED": "gpt-5"})
    upstream.reply("gpt-5", '{"ok": "maybe"}', '{"note": 3}')

    with pytest.raises(ProviderError) as caught:
        app.router.call("drafting", ModelRequest.of("x", schema=Verdict))

    assert caught.value.category == "provider_error"
    assert "after one repair" in caught.value.message and "ok" in caught.value.message
    assert upstream.count("gpt-5") == 2


@pytest.mark.parametrize(
    ("model", "category", "requests"),
    [
        ("missing-model", "model_error", 1),  # unknown model: never retried
        ("fail-400", "provider_error", 1),  # rejected request: never retried
        ("fail-429", "provider_error", 3),  # rate limited: 1 + 2 retries
        ("fail-500", "provider_error", 3),
        ("fail-529", "provider_error", 3),
        ("fail-malformed", "provider_error", 1),  # corrupt body: not retried
        ("fail-shape", "provider_error", 1),
        ("fail-drop", "network_error", 3),  # connection closed: retried
        ("fail-hang", "network_error", 3),  # timeout: retried
    ],
)
def test_failures_map_to_categories_and_retry_behaviour(
    make_app: MakeApp,
    upstream: FakeUpstream,
    openai_env: dict[str, str],
    model: str,
    category: str,
    requests: int,
) -> None:
    env = {**openai_env, "RESEARCHOS_MODEL_DRAFTING": f"openai:{model}"}
    app = make_app({**env, "RESEARCHOS_PROVIDER_TIMEOUT": "0.3"})

    with pytest.raises(ProviderError) as caught:
        app.router.call("drafting", ModelRequest.of("x"))

    assert caught.value.category == category
    assert upstream.count(model) == requests
    assert upstream.key not in str(caught.value)
    assert "Rate limit reached" not in str(caught.value)  # upstream text never surfaces
    with app.database.session() as session:
        row = recent_calls(session, limit=1)[0]
    assert row["outcome"] == category and row["routing"]["attempts"] == requests


def test_wrong_key_is_an_auth_error_and_is_not_retried(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    app = make_app(
        {**openai_env, "OPENAI_API_KEY": "wrong-key-123456", "RESEARCHOS_MODEL_STRONG": "gpt-5"}
    )

    with pytest.raises(ProviderError) as caught:
        app.router.call("review", ModelRequest.of("x"))

    assert caught.value.category == "auth_error"
    assert "researchos secrets set OPENAI_API_KEY" in str(caught.value)
    assert "wrong-key-123456" not in str(caught.value)  # the fake echoes it in its body
    assert len(upstream.requests) == 1


def test_retry_after_is_honoured(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    upstream.retry_after = {"retry-after": "0.4"}
    upstream.script("gpt-5", "429", "ok")
    app = make_app({**openai_env, "RESEARCHOS_MODEL_BALANCED": "gpt-5"})

    started = time.perf_counter()
    response = app.router.call("drafting", ModelRequest.of("x"))

    assert time.perf_counter() - started >= 0.4
    assert response.routing["attempts"] == 2 and response.routing["outcome"] == "ok"


def test_retry_after_ms_wins_and_long_retry_after_is_capped(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    upstream.retry_after = {"retry-after": "3600"}
    upstream.script("gpt-5", "429", "429", "ok")
    app = make_app(
        {
            **openai_env,
            "RESEARCHOS_MODEL_BALANCED": "gpt-5",
            "RESEARCHOS_PROVIDER_RETRY_AFTER_CAP": "0.1",
        }
    )

    started = time.perf_counter()
    app.router.call("drafting", ModelRequest.of("x"))

    assert time.perf_counter() - started < 5  # an hour was asked for; the cap wins
    assert upstream.count("gpt-5") == 3


def test_unavailable_strong_tier_falls_back_to_balanced_and_flags_review(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    env = {"RESEARCHOS_MODEL_STRONG": "gpt-6-preview", "RESEARCHOS_MODEL_BALANCED": "gpt-5"}
    app = make_app({**openai_env, **env})

    response = app.router.call("seal_l2_first", ModelRequest.of("review this claim"))

    assert response.routing["wire_model"] == "gpt-5"
    assert response.needs_human_review and "tier_fallback" in response.flags
    with app.database.session() as session:
        fallback, failed = recent_calls(session, limit=2)
    assert (failed["wire_model"], failed["outcome"]) == ("gpt-6-preview", "model_error")
    assert (fallback["wire_model"], fallback["outcome"]) == ("gpt-5", "ok")


def test_auth_failure_on_strong_tier_does_not_fall_back(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    env = {"RESEARCHOS_MODEL_STRONG": "gpt-5", "RESEARCHOS_MODEL_BALANCED": "gpt-5-mini"}
    app = make_app({**openai_env, **env, "OPENAI_API_KEY": "not-the-key-000"})

    with pytest.raises(ProviderError, match="rejected the credentials"):
        app.router.call("review", ModelRequest.of("x"))
    assert len(upstream.requests) == 1


def test_embeddings_come_back_in_input_order(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    app = make_app(openai_env)

    vectors = app.router.embed(["a", "bbbb", "cc"])

    assert [v[0] for v in vectors] == [1.0, 4.0, 2.0]
    assert upstream.requests[-1].body["model"] == "text-embedding-3-small"


def test_missing_key_for_production_model_is_a_config_error(make_app: MakeApp) -> None:
    app = make_app({"RESEARCHOS_RUN_MODE": "production", "RESEARCHOS_MODEL_BALANCED": "gpt-5"})

    with pytest.raises(ConfigError, match="researchos secrets set OPENAI_API_KEY"):
        app.router.call("drafting", ModelRequest.of("x"))
