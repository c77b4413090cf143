"""The routing policy: phase -> tier -> model, per run mode, with overrides and aliases.

``build_policy`` is a pure function of its inputs (settings values, declared endpoints,
which of them have credentials, the policy file's rules), so ``policy show``, the router and
the tests all see the same table. Order of application: tier models (with fallback when a
tier is unset) -> per-phase overrides -> aliases -> smoke derivation. Capability gates run
per call (they depend on whether the call asks for structured output), see ``gates``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from researchos.errors import ConfigError
from researchos.providers.catalog import Catalog
from researchos.providers.endpoints import Endpoint
from researchos.providers.overrides import PhaseOverride, parse_overrides
from researchos.providers.phases import PHASES, TIERS, Phase, get_phase
from researchos.providers.policy_file import PolicyRules, merged_catalog

RUN_MODES = ("production", "smoke", "mock")
REVIEW_FLAGS = ("tier_fallback", "needs_human_review")


@dataclass(frozen=True)
class PolicyInputs:
    run_mode: str = "auto"
    smoke_mode: bool = False
    tiers: Mapping[str, str | None] = field(default_factory=dict)
    overrides: Mapping[str, str] = field(default_factory=dict)
    endpoints: Mapping[str, Endpoint] = field(default_factory=dict)
    available: frozenset[str] = frozenset()  # endpoints with a key (or needing none)
    rules: PolicyRules = field(default_factory=PolicyRules)


@dataclass(frozen=True)
class Route:
    """How one phase is served: the requested model, the wire model and its parameters."""

    phase: str
    tier: str
    endpoint: str
    kind: str
    model: str
    wire_model: str
    reasoning: str | None
    temperature: float | None
    max_tokens: int
    source: str
    flags: tuple[str, ...] = ()
    fallback: Route | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tier": self.tier,
            "provider": self.endpoint,
            "model": self.model,
            "wire_model": self.wire_model,
            "reasoning": self.reasoning,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "source": self.source,
            "flags": list(self.flags),
        }
        if self.fallback is not None:
            out["fallback"] = {"provider": self.fallback.endpoint, "model": self.fallback.model}
        return out


@dataclass(frozen=True)
class TierModel:
    model: str
    source: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    mode: str
    mode_reason: str
    tiers: Mapping[str, TierModel]
    routes: Mapping[str, Route]
    catalog: Catalog
    endpoints: Mapping[str, Endpoint]

    def route(self, phase: str) -> Route:
        get_phase(phase)
        return self.routes[phase]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_mode": self.mode,
            "mode_reason": self.mode_reason,
            "tiers": {
                tier: {"model": tm.model, "source": tm.source} for tier, tm in self.tiers.items()
            },
            "phases": {name: route.to_dict() for name, route in self.routes.items()},
        }


def decide_mode(inputs: PolicyInputs) -> tuple[str, str]:
    if inputs.smoke_mode:
        return "smoke", "RESEARCHOS_SMOKE_MODE=true"
    if inputs.run_mode in RUN_MODES:
        return inputs.run_mode, f"RESEARCHOS_RUN_MODE={inputs.run_mode}"
    configured = sorted(inputs.available - {"mock"})
    if configured:
        return "production", f"auto: configured provider(s) {', '.join(configured)}"
    return "mock", "auto: no provider key or local server is configured"


def build_policy(inputs: PolicyInputs) -> Policy:
    overrides = parse_overrides(inputs.overrides)  # bad variables fail even in mock mode
    catalog = merged_catalog(inputs.rules)
    mode, reason = decide_mode(inputs)
    if mode == "mock":
        mocked: dict[str, TierModel] = {tier: TierModel("mock", "run mode mock") for tier in TIERS}
        routes = {name: _mock_route(phase, inputs.rules) for name, phase in PHASES.items()}
        return Policy(mode, reason, mocked, routes, catalog, inputs.endpoints)
    tiers = _tier_models(inputs, catalog)
    builder = _RouteBuilder(inputs, catalog, tiers, overrides)
    routes = {name: builder.route(phase) for name, phase in PHASES.items()}
    if mode == "smoke":
        routes = {name: builder.smoke(route) for name, route in routes.items()}
    return Policy(mode, reason, tiers, routes, catalog, inputs.endpoints)


def _mock_route(phase: Phase, rules: PolicyRules) -> Route:
    tier = rules.phase_tiers.get(phase.name, phase.tier)
    return Route(
        phase.name,
        tier,
        "mock",
        "mock",
        "mock",
        "mock",
        None,
        None,
        phase.max_tokens,
        "run mode mock",
    )


def _tier_models(inputs: PolicyInputs, catalog: Catalog) -> dict[str, TierModel]:
    explicit = {tier: model for tier, model in inputs.tiers.items() if model}
    if not explicit:
        return _default_tiers(inputs, catalog)
    out: dict[str, TierModel] = {}
    for tier in TIERS:
        if tier in explicit:
            out[tier] = TierModel(explicit[tier], f"RESEARCHOS_MODEL_{tier.upper()}")
            continue
        order = (*catalog.data.tier_fallback.get(tier, ()), *TIERS)
        borrowed = next(t for t in order if t in explicit)
        flags = REVIEW_FLAGS if tier == "strong" else ("tier_fallback",)
        out[tier] = TierModel(
            explicit[borrowed],
            f"RESEARCHOS_MODEL_{borrowed.upper()} (fallback: {tier} unset)",
            flags,
        )
    return out


def _default_tiers(inputs: PolicyInputs, catalog: Catalog) -> dict[str, TierModel]:
    """No tier set: the first configured endpoint's defaults (hosted first, then local)."""
    hosted = [name for name in ("openai", "anthropic") if name in inputs.available]
    local = [name for name, ep in inputs.endpoints.items() if ep.local]
    for name in [*hosted, *local]:
        endpoint = inputs.endpoints[name]
        defaults = catalog.provider(endpoint.kind)
        if endpoint.local or defaults is None:
            model = f"{name}:{endpoint.models[0]}"
            return {tier: TierModel(model, f"default of {name}") for tier in TIERS}
        return {
            tier: TierModel(f"{name}:{defaults.tiers[tier]}", f"default of {name}")
            for tier in TIERS
        }
    raise ConfigError(
        "no model is configured for the production/smoke run mode",
        fix="store a key (`researchos secrets set OPENAI_API_KEY`), declare a local server in "
        "system/providers.yaml, set RESEARCHOS_MODEL_BALANCED, or use RESEARCHOS_RUN_MODE=mock",
    )


@dataclass
class _RouteBuilder:
    inputs: PolicyInputs
    catalog: Catalog
    tiers: Mapping[str, TierModel]
    overrides: Mapping[str, PhaseOverride]

    def resolve(self, model: str, source: str) -> tuple[Endpoint, str]:
        return resolve_model(model, self.inputs.endpoints, self.catalog, source)

    def route(self, phase: Phase, tier: str | None = None) -> Route:
        tier = tier or self.inputs.rules.phase_tiers.get(phase.name, phase.tier)
        override = self.overrides.get(phase.name, PhaseOverride())
        if phase.embedding:
            return self._embedding_route(phase, tier, override)
        tier_model = self.tiers[tier]
        model, source, flags = tier_model.model, tier_model.source, tier_model.flags
        if override.model:
            model, source, flags = override.model, override.variables["model"], ()
        endpoint, bare = self.resolve(model, source)
        reasoning = override.reasoning or self.catalog.data.tier_reasoning.get(tier)
        temperature = (
            override.temperature if override.temperature is not None else phase.temperature
        )
        route = Route(
            phase.name,
            tier,
            endpoint.name,
            endpoint.kind,
            bare,
            self.catalog.resolve_alias(bare),
            None if reasoning == "none" else reasoning,
            temperature,
            phase.max_tokens,
            source,
            flags,
        )
        if tier == "strong" and not override.model:
            route = replace(route, fallback=self._fallback(phase, route))
        return route

    def _fallback(self, phase: Phase, route: Route) -> Route | None:
        balanced = self.route(phase, "balanced")
        same = (balanced.endpoint, balanced.wire_model) == (route.endpoint, route.wire_model)
        return None if same else replace(balanced, tier="strong", flags=REVIEW_FLAGS)

    def _embedding_route(self, phase: Phase, tier: str, override: PhaseOverride) -> Route:
        if override.model:
            endpoint, bare = self.resolve(override.model, override.variables["model"])
            return self._embed(phase, tier, endpoint, bare, override.variables["model"], ())
        endpoint, _ = self.resolve(self.tiers[tier].model, self.tiers[tier].source)
        defaults = self.catalog.provider(endpoint.kind)
        model = endpoint.embedding_model or (defaults.embedding_model if defaults else None)
        if model:
            return self._embed(
                phase, tier, endpoint, model, f"embedding model of {endpoint.name}", ()
            )
        mock = self.inputs.endpoints["mock"]
        return self._embed(
            phase,
            tier,
            mock,
            "mock",
            f"{endpoint.name} has no embeddings API",
            ("embedding_fallback",),
        )

    def _embed(
        self,
        phase: Phase,
        tier: str,
        endpoint: Endpoint,
        model: str,
        source: str,
        flags: tuple[str, ...],
    ) -> Route:
        return Route(
            phase.name,
            tier,
            endpoint.name,
            endpoint.kind,
            model,
            self.catalog.resolve_alias(model),
            None,
            None,
            0,
            source,
            flags,
        )

    def smoke(self, route: Route) -> Route:
        """Cheap model of the same endpoint, lowest reasoning, clamped max tokens."""
        if route.max_tokens == 0:  # embeddings: nothing to make cheaper
            return replace(route, source=f"{route.source} (smoke)")
        endpoint = self.inputs.endpoints[route.endpoint]
        defaults = self.catalog.provider(endpoint.kind)
        cheap = self.inputs.rules.smoke_models.get(endpoint.name) or (
            defaults.smoke_model if defaults and not endpoint.local else None
        )
        model = cheap or route.model
        wire = self.catalog.resolve_alias(model)
        caps = self.catalog.capabilities(wire)
        return replace(
            route,
            model=model,
            wire_model=wire,
            reasoning=caps.min_reasoning if caps.reasoning else None,
            max_tokens=min(route.max_tokens, self.catalog.data.smoke_max_tokens),
            source=f"{route.source} (smoke)",
            fallback=None,
        )


def resolve_model(
    model: str, endpoints: Mapping[str, Endpoint], catalog: Catalog, source: str
) -> tuple[Endpoint, str]:
    """Which endpoint serves ``model``; returns it and the id without an endpoint prefix."""
    if model == "mock":
        return endpoints["mock"], "mock"
    prefix, sep, rest = model.partition(":")
    if sep and prefix in endpoints and rest:
        return endpoints[prefix], rest
    for endpoint in endpoints.values():
        if endpoint.local and model in (*endpoint.models, endpoint.embedding_model):
            return endpoint, model
    kind = catalog.kind_for(model)
    for endpoint in endpoints.values():
        if kind is not None and endpoint.kind == kind and not endpoint.local:
            return endpoint, model
    raise ConfigError(
        f"{source}: no provider serves model {model!r}",
        fix=f"prefix it with a provider name (openai:{model}, anthropic:{model}, "
        f"<server>:{model}) or declare it under a server in system/providers.yaml",
    )
