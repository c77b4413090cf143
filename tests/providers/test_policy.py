"""The routing policy: modes, tiers, fallbacks, overrides, smoke, aliases, gates, the file."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import MakeApp

from researchos.errors import ConfigError, InputError
from researchos.providers import ModelRequest
from researchos.providers.endpoints import builtin_endpoints
from researchos.providers.gates import apply_gates
from researchos.providers.phases import PHASES
from researchos.providers.policy import Policy, PolicyInputs, build_policy
from researchos.providers.policy_file import PolicyRules

ENDPOINTS = builtin_endpoints(
    openai_base_url="http://127.0.0.1:9/v1", anthropic_base_url="http://127.0.0.1:9"
)


def policy(
    *,
    tiers: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
    available: tuple[str, ...] = ("openai", "mock"),
    **kwargs: object,
) -> Policy:
    return build_policy(
        PolicyInputs(
            tiers=tiers or {},
            overrides=overrides or {},
            endpoints=ENDPOINTS,
            available=frozenset(available),
            **kwargs,  # type: ignore[arg-type]
        )
    )


def test_auto_mode_is_mock_without_any_provider_and_production_with_one() -> None:
    assert policy(available=("mock",)).mode == "mock"
    with_key = policy()
    assert with_key.mode == "production" and "openai" in with_key.mode_reason


def test_mock_mode_routes_every_phase_to_the_mock() -> None:
    table = policy(available=("mock",))
    assert set(table.routes) == set(PHASES)
    assert {route.endpoint for route in table.routes.values()} == {"mock"}


def test_default_tiers_come_from_the_configured_provider() -> None:
    table = policy(available=("anthropic", "mock"))
    assert table.route("review").wire_model == "claude-opus-4-1-20250805"
    assert table.route("funnel_screening").wire_model == "claude-haiku-4-5-20251001"
    assert table.route("drafting").reasoning == "medium"


def test_an_unset_strong_tier_borrows_balanced_and_flags_review() -> None:
    table = policy(tiers={"balanced": "gpt-5"})
    review = table.route("review")
    assert review.wire_model == "gpt-5"
    assert "needs_human_review" in review.flags
    assert "fallback: strong unset" in review.source
    fast = table.route("funnel_screening")
    assert fast.wire_model == "gpt-5" and fast.flags == ("tier_fallback",)


def test_strong_phases_carry_a_balanced_fallback_route() -> None:
    table = policy(tiers={"strong": "gpt-5", "balanced": "gpt-5-mini", "fast": "gpt-5-nano"})
    fallback = table.route("code_generation").fallback
    assert fallback is not None and fallback.wire_model == "gpt-5-mini"
    assert fallback.flags == ("tier_fallback", "needs_human_review")
    assert table.route("drafting").fallback is None


def test_per_phase_overrides_apply_on_top_of_the_tier() -> None:
    table = policy(
        tiers={"balanced": "gpt-5"},
        overrides={"MODEL_DRAFTING": "gpt-4.1", "TEMP_DRAFTING": "0.2", "REASONING_REVIEW": "low"},
    )
    drafting = table.route("drafting")
    assert (drafting.wire_model, drafting.temperature) == ("gpt-4.1", 0.2)
    assert drafting.source == "RESEARCHOS_MODEL_DRAFTING"
    assert table.route("review").reasoning == "low"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MODEL_DRAFTNG", "gpt-5", "RESEARCHOS_MODEL_DRAFTNG names no phase"),
        ("TEMP_REVIEW", "hot", "RESEARCHOS_TEMP_REVIEW='hot' is not a temperature"),
        ("TEMP_REVIEW", "3", "is not a temperature"),
        ("REASONING_REVIEW", "extreme", "RESEARCHOS_REASONING_REVIEW='extreme'"),
    ],
)
def test_bad_overrides_name_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        policy(available=("mock",), overrides={variable: value})  # fails even in mock mode


def test_an_unknown_phase_override_from_the_environment_fails_at_start(
    make_app: MakeApp,
) -> None:
    app = make_app({"RESEARCHOS_MODEL_NOT_A_PHASE": "gpt-5"})
    with pytest.raises(ConfigError) as caught:
        _ = app.router
    assert "RESEARCHOS_MODEL_NOT_A_PHASE" in str(caught.value)
    assert "IDEA_GENERATION" in str(caught.value)  # lists the valid phases


def test_a_model_no_provider_serves_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        policy(tiers={"fast": "mystery-7b"})
    assert str(caught.value).startswith("RESEARCHOS_MODEL_FAST")
    assert "no provider serves model 'mystery-7b'" in str(caught.value)
    assert "openai:mystery-7b" in str(caught.value)


def test_production_without_any_model_says_what_to_configure() -> None:
    with pytest.raises(ConfigError, match="researchos secrets set OPENAI_API_KEY"):
        policy(available=("mock",), run_mode="production")


def test_smoke_derives_from_the_table_after_overrides() -> None:
    table = policy(
        tiers={"balanced": "gpt-5"},
        overrides={"MODEL_DRAFTING": "claude-sonnet-4-5", "TEMP_DRAFTING": "0.3"},
        smoke_mode=True,
        run_mode="production",
    )
    assert table.mode == "smoke"
    drafting = table.route("drafting")  # the override's provider, made cheap
    assert (drafting.endpoint, drafting.wire_model) == ("anthropic", "claude-haiku-4-5-20251001")
    assert drafting.temperature == 0.3 and drafting.reasoning is None
    assert drafting.max_tokens == 512
    review = table.route("review")
    assert (review.wire_model, review.reasoning) == ("gpt-5-nano", "minimal")
    assert review.fallback is None


def test_smoke_max_tokens_and_models_come_from_the_rules() -> None:
    rules = PolicyRules(smoke_max_tokens=64, smoke_models={"openai": "gpt-4.1"})
    table = policy(tiers={"balanced": "gpt-5"}, run_mode="smoke", rules=rules)
    route = table.route("drafting")
    assert (route.wire_model, route.max_tokens, route.reasoning) == ("gpt-4.1", 64, None)


def test_aliases_resolve_chains_and_reject_cycles() -> None:
    rules = PolicyRules(aliases={"house-model": "frontier-2027", "frontier-2027": "gpt-5"})
    table = policy(tiers={"balanced": "openai:house-model"}, rules=rules)
    route = table.route("drafting")
    assert (route.model, route.wire_model) == ("house-model", "gpt-5")
    looped = PolicyRules(aliases={"a": "b", "b": "a"})
    with pytest.raises(ConfigError, match="cycle"):
        policy(tiers={"balanced": "openai:a"}, rules=looped)


def test_user_prices_and_capabilities_win_over_the_shipped_ones() -> None:
    rules = PolicyRules(
        prices={"gpt-5*": (9.0, 9.0), "house-*": (1.0, 2.0)},
        capabilities=[{"match": "gpt-5*", "reasoning": False, "temperature": True}],  # type: ignore[list-item]
    )
    catalog = policy(tiers={"balanced": "gpt-5"}, rules=rules).catalog
    assert catalog.price("gpt-5-mini") == (9.0, 9.0)
    assert catalog.price("house-llm") == (1.0, 2.0)
    assert catalog.price("claude-opus-4-1-20250805") == (15.0, 75.0)
    assert catalog.price("unheard-of") is None
    assert catalog.capabilities("gpt-5").temperature is True


def test_rules_move_a_phase_to_another_tier() -> None:
    rules = PolicyRules(phase_tiers={"drafting": "strong"})
    table = policy(tiers={"strong": "gpt-5", "balanced": "gpt-5-mini"}, rules=rules)
    assert (table.route("drafting").tier, table.route("drafting").wire_model) == ("strong", "gpt-5")


def test_gates_drop_what_the_wire_model_rejects() -> None:
    table = policy(tiers={"balanced": "gpt-5", "fast": "gpt-4.1"})
    ideas = table.route("idea_generation")  # temperature 1.0, reasoning medium
    caps = table.catalog.capabilities(ideas.wire_model)
    gated = apply_gates(ideas, caps, structured=False, max_tokens=None, smoke=False)
    assert gated.params == {"max_tokens": 4096, "reasoning": "medium"}
    classic = table.route("funnel_screening")
    gated = apply_gates(
        classic,
        table.catalog.capabilities("gpt-4.1"),
        structured=False,
        max_tokens=300,
        smoke=False,
    )
    assert gated.params == {"max_tokens": 300}  # reasoning dropped: gpt-4.1 does not reason
    assert gated.dropped == ("reasoning: gpt-4.1 takes no reasoning effort",)


def test_unknown_phase_in_a_call_lists_the_valid_ones(make_app: MakeApp) -> None:
    app = make_app()
    with pytest.raises(ConfigError) as caught:
        app.router.call("summarise", ModelRequest.of("x"))
    assert "unknown phase 'summarise'" in str(caught.value)
    assert "distillation" in str(caught.value)


def _policy_commits(app_root: str) -> list[str]:
    log = subprocess.run(
        ["git", "log", "--format=%s", "--", "system/routing-policy.yaml"],
        cwd=app_root,
        capture_output=True,
        text=True,
        check=True,
    )
    return log.stdout.splitlines()


def test_the_policy_file_is_generated_committed_and_only_rewritten_on_change(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    _ = app.router
    root = str(app.workspace.root)
    path = app.workspace.system_dir / "routing-policy.yaml"
    assert "run_mode: mock" in path.read_text()
    assert _policy_commits(root) == ["policy.generate(system): routing policy for run mode mock"]

    same = make_app()
    _ = same.router
    assert len(_policy_commits(root)) == 1  # unchanged environment: no new commit

    changed = make_app({"OPENAI_API_KEY": "k-1234567890", "RESEARCHOS_MODEL_BALANCED": "gpt-5"})
    _ = changed.router
    assert len(_policy_commits(root)) == 2
    assert "wire_model: gpt-5" in path.read_text()
    assert "k-1234567890" not in path.read_text()


def test_user_rules_in_the_policy_file_survive_regeneration(make_app: MakeApp) -> None:
    app = make_app()
    path = app.workspace.system_dir / "routing-policy.yaml"
    path.write_text("format_version: 1\nrules:\n  phase_tiers:\n    drafting: fast\n")
    table = app.router.policy
    assert table.route("drafting").tier == "fast"
    assert "drafting: fast" in path.read_text() and "effective:" in path.read_text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [unclosed", "malformed YAML at line 2, column 1"),
        ("rules:\n  colour: red\n", "rules.colour"),
        ("rules:\n  phase_tiers:\n    brainstorm: fast\n", "unknown phase(s) brainstorm"),
        ("rules:\n  phase_tiers:\n    drafting: turbo\n", "rules.phase_tiers.drafting"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_a_malformed_policy_file_names_the_file_field_and_fix(
    make_app: MakeApp, text: str, message: str
) -> None:
    app = make_app()
    (app.workspace.system_dir / "routing-policy.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        _ = app.router
    assert message in str(caught.value)
    assert "system/routing-policy.yaml" in str(caught.value)
    assert "delete system/routing-policy.yaml to regenerate" in str(caught.value)


def test_policy_show_json_prints_the_effective_table(make_app: MakeApp, cli) -> None:  # type: ignore[no-untyped-def]
    make_app(
        {
            "OPENAI_API_KEY": "k-1234567890",
            "RESEARCHOS_MODEL_STRONG": "gpt-5",
            "RESEARCHOS_TEMP_IDEA_GENERATION": "0.9",
        }
    )
    result = cli("policy", "show", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["run_mode"] == "production"
    ideas = data["phases"]["idea_generation"]
    assert ideas["temperature"] == 0.9 and "temperature" not in ideas["parameters"]
    assert data["phases"]["review"]["parameters"]["reasoning"] == "high"
    text = cli("policy", "show")
    assert text.code == 0 and "Run mode: production" in text.out
