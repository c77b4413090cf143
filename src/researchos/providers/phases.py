"""Every model use in ResearchOS is a phase; the routing policy maps a phase to a tier.

A phase names *why* a model is called (DESIGN §1-§9). Services pass the phase to the router;
the policy decides which model serves it. Adding a phase here is the one change needed to
route a new kind of call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from researchos.errors import ConfigError

Tier = Literal["fast", "balanced", "strong"]
TIERS: tuple[Tier, ...] = ("fast", "balanced", "strong")


@dataclass(frozen=True)
class Phase:
    name: str
    tier: Tier
    description: str
    max_tokens: int = 4096
    temperature: float | None = None
    embedding: bool = False


_ALL = (
    Phase("idea_generation", "balanced", "propose research ideas from a brief", 4096, 1.0),
    Phase("funnel_screening", "fast", "screen ideas through the funnel stages S0-S4", 2048),
    Phase("spec_writing", "balanced", "write an experiment spec for a shortlisted idea", 8192),
    Phase("code_generation", "strong", "write experiment code from a spec", 16384),
    Phase("code_review", "strong", "review experiment code before it runs", 8192),
    Phase("result_analysis", "balanced", "turn measured metrics into candidate claims", 8192),
    Phase("drafting", "balanced", "phrase views/paper.md from claims and evidence", 16384),
    Phase("review", "strong", "review a draft against its ARA", 8192),
    Phase("distillation", "balanced", "distil a session transcript into claims and traces", 16384),
    Phase("compilation", "balanced", "compile a PDF or arXiv paper into an ARA", 16384),
    Phase("seal_l2_first", "strong", "Seal L2: first independent reviewer", 8192),
    Phase("seal_l2_second", "strong", "Seal L2: second independent reviewer", 8192),
    Phase("contradiction_check", "balanced", "check a claim against the landscape", 4096),
    Phase("embedding", "fast", "embed texts for knowledge search", 0, embedding=True),
    Phase("landscape_review", "strong", "review a proposed research-landscape merge", 8192),
    Phase("knowledge_summary", "fast", "summarise knowledge pages", 4096),
    Phase("work_brief", "balanced", "write a work brief for a coding agent (MCP)", 4096),
    Phase("reflection", "fast", "an agent role's reflection on an outcome", 2048),
    Phase("credential_test", "fast", "a tiny call that checks a key and a model", 16),
)

PHASES: dict[str, Phase] = {phase.name: phase for phase in _ALL}


def phase_names() -> list[str]:
    return list(PHASES)


def get_phase(name: str) -> Phase:
    """The phase called ``name``, or a ConfigError that lists the valid ones."""
    try:
        return PHASES[name]
    except KeyError:
        raise ConfigError(
            f"unknown phase {name!r}; valid phases: {', '.join(PHASES)}",
            fix="use one of the listed phases (docs/providers.md)",
        ) from None
