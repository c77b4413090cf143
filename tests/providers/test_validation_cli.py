"""``providers test``, ``smoke ping``, ``smoke run`` and ``usage`` through the real CLI."""

from __future__ import annotations

import json
import socket

import pytest
from conftest import FAST_ENV, MakeApp
from provider_fakes import FakeUpstream

from researchos.providers.phases import PHASES


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _one(result) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(result.out)[0]


def test_providers_test_reports_ok_with_the_credential_test_model(
    make_app: MakeApp,
    cli,
    upstream: FakeUpstream,
    openai_env: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    make_app(openai_env)
    result = cli("providers", "test", "openai", "--json")
    assert result.code == 0, result.err
    data = _one(result)
    assert (data["category"], data["model"]) == ("ok", "gpt-4o-mini")
    assert upstream.requests[-1].body["max_output_tokens"] == 16


@pytest.mark.parametrize(
    ("setup", "category", "headline"),
    [
        ({"OPENAI_API_KEY": "definitely-wrong"}, "auth_error", "rejected the credentials"),
        ({"--model": "gpt-9-ultra"}, "model_error", "does not know the requested model"),
        ({"--model": "fail-500"}, "provider_error", "openai failed (HTTP 500 server_error"),
        ({"--model": "fail-malformed"}, "provider_error", "not a JSON object"),
        ({"closed": "1"}, "network_error", "cannot reach openai"),
        ({"nokey": "1"}, "config_error", "no API key for openai"),
    ],
)
def test_providers_test_reports_each_failure_category(
    make_app: MakeApp,
    cli,  # type: ignore[no-untyped-def]
    upstream: FakeUpstream,
    openai_env: dict[str, str],
    setup: dict[str, str],
    category: str,
    headline: str,
) -> None:
    env = dict(openai_env)
    args = ["providers", "test", "openai", "--json"]
    if "--model" in setup:
        args += ["--model", setup["--model"]]
    if "OPENAI_API_KEY" in setup:
        env["OPENAI_API_KEY"] = setup["OPENAI_API_KEY"]
    if "closed" in setup:
        env["RESEARCHOS_OPENAI_BASE_URL"] = f"http://127.0.0.1:{_closed_port()}/v1"
    if "nokey" in setup:
        env.pop("OPENAI_API_KEY")
    make_app(env)

    result = cli(*args)

    assert result.code == 1
    data = _one(result)
    assert data["category"] == category and headline in data["headline"], data
    assert data["fix"]
    assert upstream.key not in result.out and "definitely-wrong" not in result.out
    assert "Incorrect API key" not in result.out  # the upstream body never surfaces


def test_providers_test_of_an_unknown_provider_lists_the_known_ones(make_app: MakeApp, cli) -> None:  # type: ignore[no-untyped-def]
    make_app()
    result = cli("providers", "test", "openia")
    assert result.code == 1
    assert "unknown provider 'openia'" in result.err and "anthropic" in result.err


def test_providers_list_shows_kinds_and_key_sources(
    make_app: MakeApp,
    cli,
    openai_env: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    make_app(openai_env)
    data = json.loads(cli("providers", "list", "--json").out)
    assert data["kinds"] == ["anthropic", "mock", "openai", "openai_compatible"]
    keys = {row["name"]: row["key"] for row in data["providers"]}
    assert keys == {"openai": "settings", "anthropic": "missing", "mock": "not needed"}


def test_smoke_ping_calls_each_distinct_policy_model_after_aliases(
    make_app: MakeApp,
    cli,
    upstream: FakeUpstream,
    anthropic_env: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    make_app(
        {
            **anthropic_env,
            "RESEARCHOS_MODEL_FAST": "claude-haiku-4-5",
            "RESEARCHOS_MODEL_BALANCED": "claude-sonnet-4-5",
        }
    )
    result = cli("smoke", "ping", "--json")
    assert result.code == 0, result.out
    checked = {row["model"] for row in json.loads(result.out)}
    assert {"claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"} <= checked
    assert "mock" in checked  # anthropic has no embeddings: the flagged hashing fallback
    sent = {r.body["model"] for r in upstream.requests}
    assert sent == {"claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"}


def test_smoke_run_mock_passes_on_a_fresh_home(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    for key, value in FAST_ENV.items():
        monkeypatch.setenv(key, value)
    result = cli("smoke", "run", "--mock", "--json")  # no `init` first: it creates one
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [row["target"] for row in rows] == list(PHASES)
    assert all(row["ok"] and row["provider"] == "mock" for row in rows)
    text = cli("smoke", "run", "--mock")
    assert text.code == 0 and "19/19 ok (MOCK)" in text.out


def test_smoke_run_end_to_end_against_a_real_wire(
    make_app: MakeApp,
    cli,
    upstream: FakeUpstream,
    openai_env: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    make_app({**openai_env, "RESEARCHOS_SMOKE_MODE": "true"})
    result = cli("smoke", "run", "--json")
    assert result.code == 0, result.out
    rows = json.loads(result.out)
    assert {row["model"] for row in rows} == {"gpt-5-nano", "text-embedding-3-small"}
    calls = [r for r in upstream.requests if r.path == "/v1/responses"]
    assert len(calls) == len(PHASES) - 1
    assert all(r.body["max_output_tokens"] <= 512 for r in calls)
    assert all(r.body["reasoning"] == {"effort": "minimal"} for r in calls)


def test_smoke_run_fails_with_the_category_of_the_broken_phase(
    make_app: MakeApp,
    cli,
    upstream: FakeUpstream,
    openai_env: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    make_app({**openai_env, "RESEARCHOS_MODEL_REVIEW": "gpt-unknown"})
    result = cli("smoke", "run", "--json")
    assert result.code == 1
    failed = [row for row in json.loads(result.out) if not row["ok"]]
    assert [(row["target"], row["category"]) for row in failed] == [("review", "model_error")]


def test_usage_reports_tokens_and_cost_by_project_phase_and_tier(
    make_app: MakeApp,
    cli,
    upstream: FakeUpstream,
    openai_env: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    make_app(openai_env)
    assert cli("smoke", "run", "--json").code == 0
    cli("providers", "test", "openai", "--model", "fail-401")

    report = json.loads(cli("usage", "--json").out)

    totals = report["totals"]
    assert totals["calls"] == len(PHASES) + 1 and report["failed_calls"] == 1
    assert totals["input_tokens"] > 0 and totals["cost_usd"] > 0
    phases = {row["key"]: row for row in report["by_phase"]}
    assert phases["drafting"]["calls"] == 1 and phases["credential_test"]["calls"] == 2
    assert {row["key"] for row in report["by_tier"]} == {"fast", "balanced", "strong"}
    assert {row["key"] for row in report["by_project"]} == {"smoke", "(none)"}
    only_smoke = json.loads(cli("usage", "--project", "smoke", "--json").out)
    assert only_smoke["totals"]["calls"] == len(PHASES)
    future = json.loads(cli("usage", "--since", "2999-01-01", "--json").out)
    assert future["totals"]["calls"] == 0
    text = cli("usage")
    assert text.code == 0 and "by phase" in text.out
