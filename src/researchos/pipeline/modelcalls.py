"""Calling a model from a stage: budget pre-check, the router call, the token charge."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from researchos.pipeline import budget
from researchos.pipeline.stages import StageContext
from researchos.providers.types import ModelRequest, ModelResponse

SYSTEM = (
    "You are part of ResearchOS, a research pipeline whose outputs are checked by code. "
    "Answer with JSON that matches the given schema exactly. Never invent numbers: every "
    "number you state must come from the inputs you are given."
)


def ask(
    ctx: StageContext,
    phase: str,
    prompt: str,
    *,
    schema: type[BaseModel] | None,
    context: dict[str, Any],
    estimate_tokens: int = 8000,
) -> ModelResponse:
    """One model call for the project, refused (402) when the token budget cannot cover it."""
    budget.precheck(
        ctx.app,
        project_id=ctx.project.id,
        resource="tokens",
        estimate=estimate_tokens,
        what=f"a {phase} call",
    )
    request = ModelRequest.of(prompt, system=SYSTEM, schema=schema, context=context)
    response = ctx.app.router.call(phase, request, project=ctx.project.id, ara=ctx.slug)
    budget.charge(
        ctx.app,
        project_id=ctx.project.id,
        resource="tokens",
        amount=response.usage.total,
        note=phase,
    )
    return response


def routing_summary(response: ModelResponse) -> dict[str, Any]:
    """The part of a routing record worth keeping on a stage's output."""
    keys = ("phase", "tier", "provider", "requested_model", "wire_model", "run_mode", "flags")
    return {key: response.routing.get(key) for key in keys if key in response.routing}
