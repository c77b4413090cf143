"""Does a credential, the policy's models, the whole chain work, and if not, why not?

Each check returns a ``ProviderValidationResult`` whose category is one of ok, auth_error,
model_error, network_error, config_error, provider_error, with a one-line headline built
from the status and error type; the upstream body is never attached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from researchos.errors import ResearchOSError
from researchos.logs import redact
from researchos.providers.endpoints import endpoint_named
from researchos.providers.phases import PHASES
from researchos.providers.router import ProviderRouter, category_of
from researchos.providers.types import ModelRequest, ModelResponse

Category = Literal[
    "ok", "auth_error", "model_error", "network_error", "config_error", "provider_error"
]
SMOKE_PROMPT = "This is a ResearchOS smoke test. Answer ok=true and a note of a few words."


class SmokeAnswer(BaseModel):
    """The tiny structured answer every phase gives in ``smoke run``."""

    model_config = ConfigDict(extra="forbid")
    ok: bool
    note: str = Field(max_length=120)


@dataclass(frozen=True)
class ProviderValidationResult:
    target: str
    provider: str
    model: str | None
    category: Category
    headline: str
    fix: str | None = None
    latency_ms: float | None = None
    mock: bool = False

    @property
    def ok(self) -> bool:
        return self.category == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _checked(
    target: str, provider: str, model: str | None, run: Callable[[], ModelResponse | str]
) -> ProviderValidationResult:
    try:
        outcome = run()
    except ResearchOSError as exc:
        category: Any = category_of(exc)
        return ProviderValidationResult(
            target, provider, model, category, redact(exc.message), redact(exc.fix or "") or None
        )
    if isinstance(outcome, str):
        return ProviderValidationResult(target, provider, model, "ok", outcome)
    routing = outcome.routing
    usage = routing["usage"]
    headline = (
        f"{routing['provider']} answered with {routing['wire_model']} in "
        f"{routing['latency_ms']:.0f} ms ({usage['input_tokens']}+{usage['output_tokens']} "
        "tokens)"
    )
    if routing["flags"]:
        headline += f" [flags: {', '.join(routing['flags'])}]"
    return ProviderValidationResult(
        target,
        routing["provider"],
        routing["wire_model"],
        "ok",
        headline,
        latency_ms=routing["latency_ms"],
        mock=outcome.mock,
    )


def credential_test_model(router: ProviderRouter, name: str) -> str:
    endpoint = endpoint_named(router.endpoints, name)
    defaults = router.policy.catalog.provider(endpoint.kind)
    if defaults is not None and defaults.credential_test_model and not endpoint.local:
        return defaults.credential_test_model
    return endpoint.models[0] if endpoint.models else "mock"


def check_provider(
    router: ProviderRouter, name: str, model: str | None = None
) -> ProviderValidationResult:
    """One tiny call with the credential-test model (independent of the policy table)."""
    chosen = model or credential_test_model(router, name)
    return _checked(name, name, chosen, lambda: router.probe(name, chosen))


def smoke_ping(router: ProviderRouter) -> list[ProviderValidationResult]:
    """One tiny call per distinct model in the policy, exactly as the policy resolves it."""
    seen: dict[tuple[str, str], str] = {}
    results: list[ProviderValidationResult] = []
    for route in router.policy.routes.values():
        key = (route.endpoint, route.wire_model)
        if key in seen:
            continue
        seen[key] = route.phase
        target = f"{route.endpoint}:{route.model}"
        if route.max_tokens == 0:
            results.append(
                _checked(target, route.endpoint, route.wire_model, lambda: _embed_check(router))
            )
        else:
            probe = partial(router.probe, route.endpoint, route.model)
            results.append(_checked(target, route.endpoint, route.wire_model, probe))
    return results


def _embed_check(router: ProviderRouter) -> str:
    vectors = router.embed(["ResearchOS smoke test"], project="smoke")
    route = router.policy.route("embedding")
    return f"{route.endpoint} embedded with {route.wire_model} ({len(vectors[0])} dimensions)"


def smoke_phase(router: ProviderRouter, phase: str) -> ProviderValidationResult:
    route = router.policy.route(phase)
    if route.max_tokens == 0:
        return _checked(phase, route.endpoint, route.wire_model, lambda: _embed_check(router))
    request = ModelRequest.of(SMOKE_PROMPT, schema=SmokeAnswer, context={"smoke": True})
    return _checked(
        phase,
        route.endpoint,
        route.wire_model,
        lambda: router.call(phase, request, project="smoke"),
    )


def smoke_phases() -> list[str]:
    return list(PHASES)
