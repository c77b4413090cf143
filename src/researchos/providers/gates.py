"""Capability gates: drop what a wire model would reject, and say what was dropped.

Runs per call because one gate depends on the call (forced structured output cannot be
combined with reasoning on some models). The dropped list goes into the routing record, so
an artifact shows the parameters that were really sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from researchos.providers.catalog import Capabilities
from researchos.providers.policy import Route


@dataclass(frozen=True)
class GatedParams:
    params: dict[str, Any]
    dropped: tuple[str, ...]


def apply_gates(
    route: Route,
    caps: Capabilities,
    *,
    structured: bool,
    max_tokens: int | None,
    smoke: bool,
) -> GatedParams:
    dropped: list[str] = []
    reasoning = route.reasoning
    if reasoning and not caps.reasoning:
        dropped.append(f"reasoning: {route.wire_model} takes no reasoning effort")
        reasoning = None
    if reasoning and structured and not caps.reasoning_with_schema:
        dropped.append(f"reasoning: {route.wire_model} cannot reason under forced tool output")
        reasoning = None
    temperature = route.temperature
    if temperature is not None and not caps.temperature:
        dropped.append(f"temperature: {route.wire_model} rejects it (reasoning model)")
        temperature = None
    if temperature is not None and reasoning and not caps.temperature_with_reasoning:
        dropped.append(f"temperature: {route.wire_model} rejects it while reasoning")
        temperature = None
    tokens = max_tokens or route.max_tokens
    if smoke:
        tokens = min(tokens, route.max_tokens)
    if caps.max_output_tokens and tokens > caps.max_output_tokens:
        dropped.append(f"max_tokens: clamped from {tokens} to {caps.max_output_tokens}")
        tokens = caps.max_output_tokens
    params: dict[str, Any] = {"max_tokens": tokens}
    if temperature is not None:
        params["temperature"] = temperature
    if reasoning:
        params["reasoning"] = reasoning
    return GatedParams(params, tuple(dropped))
