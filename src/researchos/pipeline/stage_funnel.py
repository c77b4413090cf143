"""Stage ``funnel``: screen ideas through S0..S4 down to a pilot-ready shortlist.

S0 sanity and duplicates, S1 novelty against every project's failure traces and the
landscape, S2 feasibility and compute cost, S3 expected value (the screening model's
scorecard), S4 pilot-readiness (the kit can build a spec within budget). After each stage at
most ``funnel_targets[k]`` ideas advance (default 50/20/10/5/1), best total score first. Every
decision is logged; every rejection becomes a failure trace of class ``abandoned``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from researchos.artifacts.service import TraceItem
from researchos.errors import ResearchOSError
from researchos.kits.models import IdeaSeed
from researchos.kits.registry import get_kit
from researchos.pipeline import budget
from researchos.pipeline.answers import Screening
from researchos.pipeline.modelcalls import ask, routing_summary
from researchos.pipeline.prior import most_similar, prior_failures
from researchos.pipeline.stages import StageContext, stage
from researchos.store import research

STAGES = ("S0", "S1", "S2", "S3", "S4")


@dataclass
class Candidate:
    idea: IdeaSeed
    scores: dict[str, float]
    rank: int


@dataclass
class Funnel:
    ctx: StageContext
    decisions: list[dict[str, Any]] = field(default_factory=list)
    routing: dict[str, Any] | None = None

    def decide(self, stage_name: str, candidate: Candidate, decision: str, reason: str) -> None:
        self.decisions.append(
            {
                "idea_id": candidate.idea.id,
                "stage": stage_name,
                "decision": decision,
                "reason": reason,
                "scores": dict(candidate.scores),
                "title": candidate.idea.title,
            }
        )

    def screen(
        self,
        stage_name: str,
        survivors: list[Candidate],
        target: int,
        check: Callable[[Candidate], str | None],
    ) -> list[Candidate]:
        passed = []
        for candidate in survivors:
            reason = check(candidate)
            if reason:
                self.decide(stage_name, candidate, "reject", reason)
            else:
                passed.append(candidate)
        passed.sort(key=lambda c: (-c.scores["total"], c.rank))
        for cut in passed[target:]:
            self.decide(
                stage_name,
                cut,
                "reject",
                f"below the top-{target} cut at {stage_name} (score {cut.scores['total']:.3f})",
            )
        for kept in passed[:target]:
            self.decide(stage_name, kept, "advance", f"passed {stage_name}")
        return passed[:target]


def _signature(idea: IdeaSeed) -> str:
    conditions = sorted(json.dumps(c.to_dict(), sort_keys=True) for c in idea.conditions)
    return json.dumps([idea.kit, idea.primary_metric, conditions, idea.parameters], sort_keys=True)


def _s0(candidates: list[Candidate]) -> Callable[[Candidate], str | None]:
    first_by_signature: dict[str, str] = {}
    # the original of a duplicate is the earliest idea that is not itself flagged as one
    flagged_last = sorted(candidates, key=lambda c: "duplicate_of" in c.idea.flag_reasons())
    for c in flagged_last:
        first_by_signature.setdefault(_signature(c.idea), c.idea.id)

    def check(c: Candidate) -> str | None:
        for flag in c.idea.flags:
            if flag.reason in ("not_falsifiable", "duplicate_of"):
                return f"S0 {flag.reason}: {flag.detail}"
        original = first_by_signature[_signature(c.idea)]
        if original != c.idea.id:
            return f"S0 duplicate of {original} (same kit, conditions, metric and parameters)"
        return None

    return check


def _s1(ctx: StageContext, survivors: list[Candidate]) -> Callable[[Candidate], str | None]:
    prior = prior_failures(ctx.app, exclude_ara=ctx.slug)
    texts = [f"{c.idea.title} {c.idea.hypothesis}" for c in survivors]
    matches = dict(zip([c.idea.id for c in survivors], most_similar(texts, prior), strict=True))

    def check(c: Candidate) -> str | None:
        match = matches.get(c.idea.id)
        if match is None:
            return None
        failure, similarity = match
        return f"S1 not novel: {similarity:.2f} similar to a recorded dead end ({failure.ref})"

    return check


def _s2(ctx: StageContext) -> Callable[[Candidate], str | None]:
    remaining = budget.summary(ctx.app, project_id=ctx.project.id)["cpu_s"]["remaining"]
    seeds = int(ctx.project.options["seeds"])

    def check(c: Candidate) -> str | None:
        for flag in c.idea.flags:
            if flag.reason in ("infeasible", "too_expensive"):
                return f"S2 {flag.reason}: {flag.detail}"
        cost = c.idea.cost_cpu_seconds * len(c.idea.conditions) * seeds
        if remaining is not None and cost > remaining:
            return f"S2 too expensive: ~{cost:.0f} CPU s exceeds the {remaining:.0f} remaining"
        return None

    return check


def _s3(
    ctx: StageContext, survivors: list[Candidate], funnel: Funnel
) -> Callable[[Candidate], str | None]:
    if not survivors:
        return lambda c: None
    prompt = (
        "Score each idea for novelty, feasibility, rigour, impact and the expected value "
        "of running it now (0..1), and reject ideas not worth running, with a reason:\n"
        + json.dumps(
            [{"idea_id": c.idea.id, **c.idea.to_dict(), "scores": c.scores} for c in survivors],
            indent=1,
        )
    )
    response = ask(
        ctx,
        "funnel_screening",
        prompt,
        schema=Screening,
        context={
            "ideas": [c.idea.to_dict() for c in survivors],
            "scores": {c.idea.id: c.scores for c in survivors},
        },
    )
    assert isinstance(response.data, Screening)
    funnel.routing = routing_summary(response)
    verdicts = {s.idea_id: s for s in response.data.scores}
    for c in survivors:
        verdict = verdicts.get(c.idea.id)
        if verdict is not None:
            c.scores.update(impact=verdict.impact, expected_value=verdict.expected_value)
            c.scores["total"] = round(0.5 * c.scores["total"] + 0.5 * verdict.expected_value, 4)

    def check(c: Candidate) -> str | None:
        verdict = verdicts.get(c.idea.id)
        if verdict is None:
            return "S3 the screening model returned no scorecard for this idea"
        if verdict.reject or "low_value" in c.idea.flag_reasons():
            return f"S3 low expected value: {verdict.reason or 'flagged low_value'}"
        return None

    return check


def _s4(ctx: StageContext) -> Callable[[Candidate], str | None]:
    remaining = budget.summary(ctx.app, project_id=ctx.project.id)["cpu_s"]["remaining"]

    def check(c: Candidate) -> str | None:
        try:
            spec = get_kit(c.idea.kit).spec(c.idea)
        except ResearchOSError as exc:
            return f"S4 not pilot-ready: the kit cannot build a spec ({exc})"
        if remaining is not None and spec.budget_cpu_seconds > remaining:
            return (
                f"S4 not pilot-ready: the spec needs {spec.budget_cpu_seconds:.0f} CPU s, "
                f"{remaining:.0f} remain"
            )
        return None

    return check


@stage("funnel", order=20, gate_after="post_shortlist")
def run_funnel(ctx: StageContext) -> dict[str, Any]:
    """Screen the ideas S0..S4 and shortlist the pilot-ready idea(s)."""
    with ctx.app.database.session() as session:
        stored = research.list_ideas(session, project_id=ctx.project.id)
    candidates = [Candidate(IdeaSeed.from_dict(i.payload), dict(i.scores), i.rank) for i in stored]
    targets = list(ctx.project.options["funnel_targets"])
    funnel = Funnel(ctx)
    survivors = funnel.screen("S0", candidates, targets[0], _s0(candidates))
    survivors = funnel.screen("S1", survivors, targets[1], _s1(ctx, survivors))
    survivors = funnel.screen("S2", survivors, targets[2], _s2(ctx))
    survivors = funnel.screen("S3", survivors, targets[3], _s3(ctx, survivors, funnel))
    shortlist = funnel.screen("S4", survivors, targets[4], _s4(ctx))
    _record(ctx, funnel)
    names = ", ".join(f"{c.idea.id} ({c.idea.title})" for c in shortlist) or "none"
    return {
        "summary": f"Shortlisted {len(shortlist)} of {len(candidates)} ideas: {names}. "
        f"Rejected {sum(d['decision'] == 'reject' for d in funnel.decisions)}.",
        "shortlist": [c.idea.id for c in shortlist],
        "routing": funnel.routing,
    }


def _trace_id(stage_name: str, idea_id: str) -> str:
    return f"F-{stage_name}-{re.sub(r'[^A-Za-z0-9_.-]', '-', idea_id)}"[:64]


def _record(ctx: StageContext, funnel: Funnel) -> None:
    with ctx.app.database.session() as session:
        research.clear_funnel(session, project_id=ctx.project.id)
        for d in funnel.decisions:
            research.record_funnel_decision(
                session,
                project_id=ctx.project.id,
                idea_id=d["idea_id"],
                stage=d["stage"],
                decision=d["decision"],
                reason=d["reason"],
                scores=d["scores"],
            )
    rejections = [
        TraceItem(
            "failure",
            {
                "id": _trace_id(d["stage"], d["idea_id"]),
                "title": f"Idea {d['idea_id']} rejected at {d['stage']}: {d['title']}"[:200],
                "tried": f"Idea {d['idea_id']}: {d['title']}",
                "why_failed": d["reason"],
                "failure_class": "abandoned",
                "hypothesis": d["title"],
                "lesson": f"Screened out at {d['stage']} of the funnel",
                "tags": ["funnel", d["stage"]],
            },
        )
        for d in funnel.decisions
        if d["decision"] == "reject"
    ]
    log = json.dumps(funnel.decisions, indent=1, sort_keys=True) + "\n"
    ctx.app.aras.write_files(
        ctx.slug,
        {"evidence/raw/pipeline/funnel.json": log},
        event="funnel.decide",
        summary="funnel decision log S0..S4",
    )
    if rejections:
        ctx.app.aras.add_traces(
            ctx.slug,
            rejections,
            event="funnel.reject",
            skip_existing=True,
            summary=f"{len(rejections)} ideas rejected by the funnel",
        )
