"""``system/routing-policy.yaml``: editable ``rules`` plus the ``effective`` table.

The ``rules`` section is the user's (phase tiers, aliases, prices, capabilities, smoke
settings); it is read back and validated. The ``effective`` section is regenerated from the
environment at every start and committed when it changes, so the history records which
models served the workspace and when that changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from researchos.errors import InputError
from researchos.files import dump_yaml, load_yaml
from researchos.providers.catalog import CapabilityRule, Catalog, CatalogData, shipped_catalog
from researchos.providers.phases import PHASES, TIERS, Tier

POLICY_NAME = "routing-policy.yaml"
HEADER = """\
# ResearchOS routing policy. Edit `rules`; `effective` is regenerated from the environment
# (RESEARCHOS_RUN_MODE, RESEARCHOS_MODEL_*, per-phase overrides) at every start.
# See docs/providers.md.
"""
_FIX = "fix the field, or delete system/routing-policy.yaml to regenerate it (docs/providers.md)"


class PolicyRules(BaseModel):
    """What a user may change; everything is optional and layered over catalog.yaml."""

    model_config = ConfigDict(extra="forbid")

    phase_tiers: dict[str, Tier] = Field(default_factory=dict)
    tier_fallback: dict[Tier, list[Tier]] = Field(default_factory=dict)
    aliases: dict[str, str] = Field(default_factory=dict)
    prices: dict[str, tuple[float, float]] = Field(default_factory=dict)
    capabilities: list[CapabilityRule] = Field(default_factory=list)
    smoke_max_tokens: int | None = Field(default=None, ge=1)
    smoke_models: dict[str, str] = Field(default_factory=dict)

    @field_validator("phase_tiers")
    @classmethod
    def _known_phases(cls, value: dict[str, Tier]) -> dict[str, Tier]:
        unknown = sorted(set(value) - set(PHASES))
        if unknown:
            raise ValueError(f"unknown phase(s) {', '.join(unknown)}; valid: {', '.join(PHASES)}")
        return value


class PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: Literal[1] = 1
    rules: PolicyRules = Field(default_factory=PolicyRules)
    effective: dict[str, Any] | None = None


def read_rules(path: Path) -> PolicyRules:
    """The rules of an existing policy file (defaults when there is none)."""
    if not path.is_file():
        return PolicyRules()
    display = f"system/{POLICY_NAME}"
    try:
        raw = load_yaml(path, display=display)
    except InputError as exc:
        raise InputError(exc.problem, file=display, fix=_FIX) from None
    if not isinstance(raw, dict):
        raise InputError("expected a mapping with `rules:`", file=display, fix=_FIX)
    try:
        return PolicyFile.model_validate(raw).rules
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise InputError(first["msg"], file=display, field=field, fix=_FIX) from None


def render(rules: PolicyRules, effective: dict[str, Any]) -> str:
    data = PolicyFile(rules=rules, effective=effective).model_dump(mode="json")
    return HEADER + dump_yaml(data)


def merged_catalog(rules: PolicyRules) -> Catalog:
    """catalog.yaml with the rules on top: rules' aliases, prices and capabilities win."""
    base = shipped_catalog()
    fallback: dict[str, tuple[str, ...]] = dict(base.tier_fallback)
    fallback.update({tier: tuple(order) for tier, order in rules.tier_fallback.items()})
    data = CatalogData(
        providers=base.providers,
        tier_reasoning=base.tier_reasoning,
        tier_fallback=fallback,
        smoke_max_tokens=rules.smoke_max_tokens or base.smoke_max_tokens,
        aliases={**base.aliases, **rules.aliases},
        capabilities=(*rules.capabilities, *base.capabilities),
        # first matching pattern wins, so the user's patterns go first
        prices={**rules.prices, **{k: v for k, v in base.prices.items() if k not in rules.prices}},
    )
    return Catalog(data)


__all__ = ["TIERS", "PolicyRules", "merged_catalog", "read_rules", "render"]
