"""The model catalog: shipped defaults (catalog.yaml) merged with the policy file's rules.

It answers three questions about a model id without any network call: which provider serves
it, what it can do (capabilities, for the gates), and what it costs (for the usage report).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from researchos.errors import ConfigError
from researchos.files import load_yaml

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")
Effort = Literal["none", "minimal", "low", "medium", "high"]
EFFORTS: tuple[str, ...] = ("none", "minimal", "low", "medium", "high")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CapabilityRule(_Strict):
    """What a family of models accepts; ``match`` is an fnmatch pattern on the wire id."""

    match: str
    reasoning: bool | None = Field(default=None, description="accepts a reasoning effort")
    temperature: bool | None = Field(default=None, description="accepts a temperature")
    min_reasoning: Effort | None = Field(
        default=None, description="lowest effort of a model that always reasons (smoke mode)"
    )
    reasoning_with_schema: bool | None = Field(
        default=None, description="reasoning can be combined with forced structured output"
    )
    temperature_with_reasoning: bool | None = Field(
        default=None, description="a temperature can be sent while the model reasons"
    )
    max_output_tokens: int | None = Field(default=None, ge=1)


class ProviderDefaults(_Strict):
    key_name: str
    model_prefixes: tuple[str, ...] = ()
    tiers: dict[str, str] = {}
    smoke_model: str | None = None
    credential_test_model: str | None = None
    embedding_model: str | None = None


class CatalogData(_Strict):
    format_version: Literal[1] = 1
    providers: dict[str, ProviderDefaults] = {}
    tier_reasoning: dict[str, Effort] = {}
    tier_fallback: dict[str, tuple[str, ...]] = {}
    smoke_max_tokens: int = 512
    aliases: dict[str, str] = {}
    capabilities: tuple[CapabilityRule, ...] = ()
    prices: dict[str, tuple[float, float]] = {}


@cache
def shipped_catalog() -> CatalogData:
    return CatalogData.model_validate(load_yaml(CATALOG_FILE))


@dataclass(frozen=True)
class Capabilities:
    reasoning: bool = False
    temperature: bool = True
    min_reasoning: str | None = None
    reasoning_with_schema: bool = True
    temperature_with_reasoning: bool = True
    max_output_tokens: int | None = None


@dataclass(frozen=True)
class Catalog:
    """Shipped data with the workspace's rules layered on top (rules win)."""

    data: CatalogData
    _caps_cache: dict[str, Capabilities] = field(default_factory=dict, compare=False)

    def provider(self, kind: str) -> ProviderDefaults | None:
        return self.data.providers.get(kind)

    def resolve_alias(self, model: str) -> str:
        """Follow the alias chain to the wire id; a cycle is a ConfigError."""
        seen = [model]
        while model in self.data.aliases:
            model = self.data.aliases[model]
            if model in seen:
                raise ConfigError(
                    f"model aliases form a cycle: {' -> '.join([*seen, model])}",
                    fix="fix rules.aliases in system/routing-policy.yaml",
                )
            seen.append(model)
        return model

    def capabilities(self, wire_model: str) -> Capabilities:
        cached = self._caps_cache.get(wire_model)
        if cached is not None:
            return cached
        caps = Capabilities()
        for rule in self.data.capabilities:
            if fnmatch.fnmatchcase(wire_model, rule.match):
                caps = Capabilities(
                    reasoning=bool(rule.reasoning),
                    temperature=rule.temperature is not False,
                    min_reasoning=rule.min_reasoning,
                    reasoning_with_schema=rule.reasoning_with_schema is not False,
                    temperature_with_reasoning=rule.temperature_with_reasoning is not False,
                    max_output_tokens=rule.max_output_tokens,
                )
                break
        self._caps_cache[wire_model] = caps
        return caps

    def price(self, wire_model: str) -> tuple[float, float] | None:
        for pattern, price in self.data.prices.items():
            if fnmatch.fnmatchcase(wire_model, pattern):
                return price
        return None

    def kind_for(self, model: str) -> str | None:
        """The hosted provider whose ids look like ``model`` (by prefix), if any."""
        for kind, defaults in self.data.providers.items():
            if model.startswith(defaults.model_prefixes):
                return kind
        return None
