"""``ProviderRouter``: the only way ResearchOS code reaches a model.

``call(phase, request)`` looks the phase up in the policy, gates the parameters for the wire
model, calls the adapter with retries, gets structured output validated (one repair), falls
back from an unavailable strong tier to balanced (flagged for human review), and stores the
routing record with tokens, latency, cost and outcome, success or failure.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from researchos.errors import ConfigError, ProviderError, ResearchOSError
from researchos.providers import registry, structured
from researchos.providers.base import Provider, ProviderContext, WireCall, WireResult
from researchos.providers.endpoints import Endpoint, endpoint_named
from researchos.providers.gates import GatedParams, apply_gates
from researchos.providers.keys import KeyRing
from researchos.providers.policy import REVIEW_FLAGS, Policy, PolicyInputs, Route, build_policy
from researchos.providers.retry import Attempts, RetryPolicy
from researchos.providers.types import ModelRequest, ModelResponse, Usage
from researchos.store.database import Database
from researchos.store.provider_calls import record_call

log = logging.getLogger(__name__)
FALLBACK_CATEGORIES = frozenset({"model_error", "network_error", "provider_error"})


def category_of(exc: BaseException) -> str:
    if isinstance(exc, ProviderError):
        return exc.category
    return "config_error" if isinstance(exc, ConfigError) else "provider_error"


@dataclass
class _Trace:
    """What happened during one routed call, recorded whether it succeeded or not."""

    attempts: Attempts = field(default_factory=Attempts)
    usage: Usage = field(default_factory=lambda: Usage(0, 0))
    repairs: int = 0
    request_id: str | None = None
    structured: str = "none"
    started: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class _Where:
    project: str | None
    ara: str | None


class ProviderRouter:
    def __init__(
        self,
        *,
        inputs: PolicyInputs,
        database: Database,
        keys: KeyRing,
        retry: RetryPolicy,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        policy: Policy | None = None,
    ) -> None:
        self.inputs = inputs
        self.policy = policy or build_policy(inputs)
        self.database = database
        self.keys = keys
        self.retry = retry
        self.timeout = timeout
        self.transport = transport
        self._providers: dict[str, Provider] = {}
        self._lock = threading.Lock()

    @property
    def mode(self) -> str:
        return self.policy.mode

    @property
    def endpoints(self) -> dict[str, Endpoint]:
        return dict(self.policy.endpoints)

    def with_mode(self, mode: str) -> ProviderRouter:
        """A router on the same store and keys under another run mode (``smoke run --mock``)."""
        inputs = replace(self.inputs, run_mode=mode, smoke_mode=False)
        return ProviderRouter(
            inputs=inputs,
            database=self.database,
            keys=self.keys,
            retry=self.retry,
            timeout=self.timeout,
            transport=self.transport,
        )

    # --- the interface -------------------------------------------------------------------
    def call(
        self,
        phase: str,
        request: ModelRequest,
        *,
        project: str | None = None,
        ara: str | None = None,
    ) -> ModelResponse:
        route = self.policy.route(phase)
        if route.max_tokens == 0:
            raise ConfigError(f"phase {phase!r} is for router.embed(texts), not router.call")
        where = _Where(project, ara)
        try:
            return self._call(route, request, where, self.retry)
        except ProviderError as exc:
            if route.fallback is None or exc.category not in FALLBACK_CATEGORIES:
                raise
            log.warning(
                "%s: strong tier %s unavailable (%s); falling back to balanced %s",
                phase,
                route.wire_model,
                exc.category,
                route.fallback.wire_model,
            )
            return self._call(route.fallback, request, where, self.retry)

    def embed(self, texts: Sequence[str], *, project: str | None = None) -> list[list[float]]:
        """Vectors for ``texts`` from the policy's embedding model (mock: hashing vectors)."""
        if not texts:
            return []
        route = self.policy.route("embedding")
        provider = self.provider(route.endpoint)
        trace = _Trace()
        try:
            result = self.retry.run(
                lambda: provider.embed(route.wire_model, list(texts)),
                trace.attempts,
                label=f"embedding via {route.endpoint}",
            )
        except ResearchOSError as exc:
            self._record(route, None, trace, _Where(project, None), category_of(exc))
            raise
        trace.usage = result.usage
        self._record(route, None, trace, _Where(project, None), "ok")
        return result.vectors

    def probe(self, endpoint: str, model: str, *, max_retries: int = 0) -> ModelResponse:
        """A tiny call to ``model`` on ``endpoint``, outside the policy table (validation)."""
        target = endpoint_named(self.endpoints, endpoint)
        wire = self.policy.catalog.resolve_alias(model)
        route = Route(
            "credential_test",
            "fast",
            target.name,
            target.kind,
            model,
            wire,
            None,
            None,
            16,
            f"probe of {target.name}",
        )
        request = ModelRequest.of("Reply with the single word OK.", max_tokens=16)
        return self._call(
            route, request, _Where(None, None), replace(self.retry, max_retries=max_retries)
        )

    # --- machinery -----------------------------------------------------------------------
    def provider(self, name: str) -> Provider:
        with self._lock:
            if name not in self._providers:
                endpoint = endpoint_named(self.endpoints, name)
                factory = registry.factory(endpoint.kind)
                self._providers[name] = factory(self._context(endpoint))
            return self._providers[name]

    def _context(self, endpoint: Endpoint) -> ProviderContext:
        timeout = endpoint.timeout or self.timeout
        make_client = partial(
            httpx.Client,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=self.transport,
            follow_redirects=False,
        )
        key = partial(self.keys.get, endpoint.key_name) if endpoint.key_name else (lambda: None)
        return ProviderContext(endpoint, make_client, key)

    def _call(
        self, route: Route, request: ModelRequest, where: _Where, retry: RetryPolicy
    ) -> ModelResponse:
        trace = _Trace()
        gated: GatedParams | None = None
        try:
            provider = self.provider(route.endpoint)
            caps = self.policy.catalog.capabilities(route.wire_model)
            gated = apply_gates(
                route,
                caps,
                structured=request.schema is not None,
                max_tokens=request.max_tokens,
                smoke=self.mode == "smoke",
            )
            text, data = self._generate(provider, route, request, gated, trace, retry)
        except ResearchOSError as exc:
            self._record(route, gated, trace, where, category_of(exc))
            raise
        routing = self._record(route, gated, trace, where, "ok")
        return ModelResponse(text, data, trace.usage, routing, mock=route.kind == "mock")

    def _generate(
        self,
        provider: Provider,
        route: Route,
        request: ModelRequest,
        gated: GatedParams,
        trace: _Trace,
        retry: RetryPolicy,
    ) -> tuple[str, BaseModel | None]:
        call = WireCall(route.phase, route.wire_model, request.messages, gated.params, request)
        if request.schema is not None:
            schema, name, strict = structured.wire_schema(request.schema)
            trace.structured = provider.structured_mode(route.wire_model)
            messages = call.messages
            if trace.structured in ("json_object", "prompt"):
                messages = structured.with_instruction(messages, schema)
            call = replace(call, messages=messages, schema=schema, schema_name=name, strict=strict)
        result = self._send(provider, call, trace, retry)
        if request.schema is None:
            return result.text, None
        try:
            return result.text, structured.parse(result.text, result.data, request.schema)
        except (ValueError, ValidationError) as exc:
            issue = structured.problem(exc)
        trace.repairs = 1
        log.info(
            "%s: output of %s did not validate (%s); one repair",
            route.phase,
            route.wire_model,
            issue,
        )
        repair = replace(
            call, messages=structured.repair_messages(call.messages, result.text, issue)
        )
        result = self._send(provider, repair, trace, retry)
        try:
            return result.text, structured.parse(result.text, result.data, request.schema)
        except (ValueError, ValidationError) as exc:
            raise ProviderError(
                f"{route.endpoint} output for phase {route.phase} does not match "
                f"{request.schema.__name__} after one repair ({structured.problem(exc)})",
                category="provider_error",
                fix="use a stronger model for this phase (RESEARCHOS_MODEL_"
                f"{route.phase.upper()}) or check the server's structured_output setting",
            ) from None

    def _send(
        self, provider: Provider, call: WireCall, trace: _Trace, retry: RetryPolicy
    ) -> WireResult:
        label = f"{call.phase} via {provider.endpoint.name}/{call.model}"
        log.debug("call %s (attempt %d)", label, trace.attempts.count + 1)
        result = retry.run(lambda: provider.generate(call), trace.attempts, label=label)
        trace.usage = trace.usage + result.usage
        trace.request_id = result.request_id or trace.request_id
        return result

    def _cost(self, route: Route, usage: Usage) -> float | None:
        endpoint = self.policy.endpoints.get(route.endpoint)
        price = endpoint.price if endpoint and endpoint.price is not None else None
        price = price or self.policy.catalog.price(route.wire_model)
        if price is None:
            return None
        return round((usage.input_tokens * price[0] + usage.output_tokens * price[1]) / 1e6, 8)

    def _record(
        self, route: Route, gated: GatedParams | None, trace: _Trace, where: _Where, outcome: str
    ) -> dict[str, Any]:
        """Store the routing record of one call (success or failure) and return it."""
        latency = round((time.perf_counter() - trace.started) * 1000, 3)
        routing = _routing(route, gated, trace, self.mode, outcome)
        routing.update(latency_ms=latency, cost_usd=self._cost(route, trace.usage))
        with self.database.session() as session:
            routing["call_id"] = record_call(
                session, routing=routing, project=where.project, ara=where.ara
            )
        log.info(
            "model call %s %s/%s %s in %.0f ms (%d+%d tokens)",
            route.phase,
            route.endpoint,
            route.wire_model,
            outcome,
            latency,
            trace.usage.input_tokens,
            trace.usage.output_tokens,
        )
        return routing

    def close(self) -> None:
        with self._lock:
            for provider in self._providers.values():
                provider.close()
            self._providers.clear()


def _routing(
    route: Route, gated: GatedParams | None, trace: _Trace, mode: str, outcome: str
) -> dict[str, Any]:
    """The provider_routing blob: what was asked, what was sent, what came back."""
    return {
        "phase": route.phase,
        "tier": route.tier,
        "provider": route.endpoint,
        "provider_kind": route.kind,
        "requested_model": route.model,
        "wire_model": route.wire_model,
        "parameters": dict(gated.params) if gated else {},
        "dropped": list(gated.dropped) if gated else [],
        "run_mode": mode,
        "source": route.source,
        "structured": trace.structured,
        "flags": list(route.flags),
        "mock": route.kind == "mock",
        "usage": {
            "input_tokens": trace.usage.input_tokens,
            "output_tokens": trace.usage.output_tokens,
        },
        "outcome": outcome,
        "attempts": trace.attempts.count,
        "repairs": trace.repairs,
        "request_id": trace.request_id,
        "at": datetime.now(UTC).isoformat(),
    }


__all__ = ["REVIEW_FLAGS", "ProviderRouter", "category_of"]
