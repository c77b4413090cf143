"""How the mock provider answers the pipeline's phases: deterministically, from the inputs.

The experiments stay real: ideas, specs and code come from the experiment kits, whose
numbers are measured by running them. What the mock stands in for is the judgement and the
prose a model would add; everything it returns is tagged MOCK.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from researchos.kits.models import IdeaFlag, IdeaSeed, KitSpec
from researchos.kits.registry import get_kit
from researchos.pipeline.answers import (
    CodeBundle,
    CodeReviewAnswer,
    Draft,
    FileText,
    Finding,
    IdeaBatch,
    IdeaScore,
    ReviewAnswer,
    ReviewNoteAnswer,
    Screening,
)
from researchos.providers.mock import mock_responder
from researchos.providers.types import ModelRequest

Answerer = Callable[[ModelRequest, random.Random], BaseModel]


def answers(phase: str, schema: type[BaseModel]) -> Callable[[Answerer], Answerer]:
    """Register a responder for ``phase`` that answers requests for ``schema``; a request
    for any other schema gets the mock's generic, schema-valid sample."""

    def register(function: Answerer) -> Answerer:
        def respond(request: ModelRequest, rng: random.Random) -> BaseModel | None:
            # another schema for this phase: let the mock give its generic answer
            return function(request, rng) if request.schema is schema else None

        respond.__qualname__ = function.__qualname__
        mock_responder(phase)(respond)
        return function

    return register


@answers("idea_generation", IdeaBatch)
def ideas(request: ModelRequest, rng: random.Random) -> IdeaBatch:
    context = request.context
    scores: dict[str, float] = dict(context.get("kit_scores") or {})
    kits = sorted(context.get("kits") or [], key=lambda name: (-scores.get(name, 0.0), name))
    count = int(context.get("count") or 10)
    brief = str(context.get("brief") or "")
    pool: list[IdeaSeed] = []
    for name in kits:
        pool += get_kit(name).ideas(brief, random.Random(rng.random()))
    out = list(pool[:count])
    round_ = 2
    while len(out) < count and pool:  # restatements of earlier ideas: S0 must catch them
        for original in pool:
            if len(out) >= count:
                break
            out.append(_restated(original, round_))
        round_ += 1
    return IdeaBatch(ideas=out)


def _restated(idea: IdeaSeed, round_: int) -> IdeaSeed:
    data = idea.to_dict()
    data["id"] = f"{idea.id}-r{round_}"[:63]
    data["title"] = f"{idea.title} (restated, MOCK)"
    data["flags"] = [
        *data["flags"],
        IdeaFlag(reason="duplicate_of", ref=idea.id, detail=f"restates {idea.id}").to_dict(),
    ]
    return IdeaSeed.from_dict(data)


@answers("funnel_screening", Screening)
def screening(request: ModelRequest, rng: random.Random) -> Screening:
    scores = request.context.get("scores") or {}
    out = []
    for data in request.context.get("ideas") or []:
        idea = IdeaSeed.from_dict(data)
        prior = scores.get(idea.id, {})
        # a screener weighs fit to the brief first, then novelty, then cost
        value = round(
            0.45 * float(prior.get("relevance", 0.5))
            + 0.35 * idea.novelty_hint
            + 0.2 * float(prior.get("feasibility", 0.5)),
            4,
        )
        low = "low_value" in idea.flag_reasons()
        out.append(
            IdeaScore(
                idea_id=idea.id,
                novelty=idea.novelty_hint,
                feasibility=float(prior.get("feasibility", 0.5)),
                rigour=float(prior.get("rigour", 0.5)),
                impact=value,
                expected_value=0.1 if low else value,
                reject=low,
                reason="MOCK: flagged low value by its kit" if low else "MOCK: worth a pilot",
            )
        )
    return Screening(scores=out)


@answers("code_generation", CodeBundle)
def code(request: ModelRequest, rng: random.Random) -> CodeBundle:
    spec = KitSpec.from_dict(request.context["spec"])
    files = get_kit(spec.kit).build(spec)
    return CodeBundle(
        files=[FileText(path=p, content=c) for p, c in files.items()],
        notes=f"MOCK: the {spec.kit} kit's implementation",
    )


@answers("code_review", CodeReviewAnswer)
def code_review(request: ModelRequest, rng: random.Random) -> CodeReviewAnswer:
    spec = KitSpec.from_dict(request.context["spec"])
    files: dict[str, str] = dict(request.context.get("files") or {})
    patch = get_kit(spec.kit).review(spec, files)
    return CodeReviewAnswer(
        files=[FileText(path=p, content=c) for p, c in patch.files.items()],
        notes=[
            ReviewNoteAnswer(severity=n.severity, file=n.file, message=n.message)
            for n in patch.notes
        ],
    )


@answers("drafting", Draft)
def drafting(request: ModelRequest, rng: random.Random) -> Draft:
    reference = str(request.context.get("reference") or "")
    return Draft(markdown=reference)


@answers("review", ReviewAnswer)
def review(request: ModelRequest, rng: random.Random) -> ReviewAnswer:
    findings: list[dict[str, Any]] = request.context.get("findings") or []
    severe = [f for f in findings if f.get("severity") in ("P0", "P1")]
    notes = [
        Finding(
            severity="P3",
            message="MOCK review: the draft was phrased by the mock "
            "provider; have a person read it before sharing",
        )
    ]
    summary = (
        f"MOCK: {len(severe)} blocking finding(s) from the deterministic checks"
        if severe
        else "MOCK: no blocking findings beyond the deterministic checks"
    )
    return ReviewAnswer(findings=notes, summary=summary)
