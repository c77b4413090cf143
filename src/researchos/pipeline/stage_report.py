"""Stages ``analysis`` and ``draft``: statistics into claims, then a draft that may cite only
those claims and state only their numbers (checked by code, not by a model)."""

from __future__ import annotations

from typing import Any

from researchos.analysis import AnalysisPlan, MetricsInput, analyse, write_analysis
from researchos.artifacts.service import Origin
from researchos.drafts import PAPER_PATH, AraSnapshot, check_alignment, render_paper
from researchos.pipeline.answers import Draft
from researchos.pipeline.experiment import (
    SRC_DIR,
    evidence_path,
    registered_spec,
    succeeded_runs,
)
from researchos.pipeline.modelcalls import ask, routing_summary
from researchos.pipeline.stages import StageContext, stage

ANALYST = Origin("agent:analyst")
WRITER = Origin("agent:writer")


def analysis_plan(spec: Any) -> AnalysisPlan:
    plan = spec.analysis
    secondary = [m for m in plan.secondary_metrics if m != plan.primary_metric]
    return AnalysisPlan(
        primary_metric=plan.primary_metric,
        secondary_metrics=secondary,
        baseline=plan.baseline,
        alpha=plan.alpha,
        direction=plan.direction,
    )


@stage("analysis", order=70)
def run_analysis(ctx: StageContext) -> dict[str, Any]:
    """Deterministic statistics over every valid run; claims with evidence and figures."""
    spec = registered_spec(ctx)
    runs = succeeded_runs(ctx, spec.id)
    mock = ctx.project.mode == "mock"
    inputs = [
        MetricsInput(
            run_id=run.run_id,
            path=ctx.app.runs.run_dir(run.run_id) / "work" / "metrics.jsonl",
            sha256=run.metrics_sha256,
            ara_path=evidence_path(condition, seed),
            mock=mock,
        )
        for (condition, seed), run in sorted(runs.items())
    ]
    context = {
        "kit": spec.kit,
        "spec": spec.id,
        **{k: v for k, v in spec.parameters.items() if isinstance(v, str | int | float | bool)},
    }
    result = analyse(analysis_plan(spec), inputs, context=context, code=[f"{SRC_DIR}/main.py"])
    written = write_analysis(ctx.app, ctx.slug, result, ANALYST)
    kinds: dict[str, int] = {}
    for claim in result.claims:
        kinds[claim["kind"]] = kinds.get(claim["kind"], 0) + 1
    return {
        "summary": f"{len(result.claims)} claims from {len(inputs)} runs: "
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
        "analysis_id": written.analysis_id,
        "claims": written.claim_ids,
        "inputs": len(inputs),
    }


@stage("draft", order=80)
def write_draft(ctx: StageContext) -> dict[str, Any]:
    """The writer model phrases views/paper.md from the claims; alignment checks it."""
    snapshot = AraSnapshot.load(ctx.app.aras, ctx.slug)
    reference = render_paper(snapshot)
    claims = [c.model_dump(mode="json") for c in snapshot.claims]
    response = ask(
        ctx,
        "drafting",
        "Write the paper (Markdown) for these claims. Cite every statement of fact "
        "as [claim:<id>] and use only the numbers of the claims you cite.\n\n"
        f"Claims:\n{claims}\n\nA plain rendering to improve on:\n{reference}",
        schema=Draft,
        context={"reference": reference, "claims": claims},
    )
    assert isinstance(response.data, Draft)
    markdown = response.data.markdown.rstrip() + "\n"
    issues = check_alignment(markdown, snapshot.claims)
    ctx.app.aras.write_files(
        ctx.slug,
        {PAPER_PATH: markdown},
        event="draft.write",
        summary=f"draft views/paper.md ({len(issues)} alignment issues)",
        origin=WRITER,
    )
    return {
        "summary": f"draft written; {len(issues)} alignment issue(s)",
        "alignment": [issue.to_dict() for issue in issues],
        "routing": routing_summary(response),
    }
