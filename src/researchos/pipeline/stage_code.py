"""Stages ``code``, ``pilot`` and ``runs``: write the experiment, prove it on one seed per
condition (the pilot, followed by a human gate), then run every condition x seed."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from researchos.artifacts.service import Origin, TraceItem
from researchos.errors import ResearchOSError
from researchos.kits.models import KitSpec
from researchos.pipeline import budget, coding
from researchos.pipeline.experiment import (
    SUCCEEDED_VALID,
    Outcome,
    code_root,
    judge,
    record_outcome,
    registered_spec,
    run_spec,
    shortlisted_idea,
    succeeded_runs,
)
from researchos.pipeline.stages import StageContext, stage
from researchos.runs.executors import RunProgress
from researchos.runs.models import RunSpec

BUILDER = Origin("agent:builder")


class RepairExhausted(ResearchOSError):
    """The repair loop ran out of attempts (the run result class is failed_terminal)."""

    status = 422


def _code_hash(ctx: StageContext) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in code_root(ctx).rglob("*") if p.is_file()):
        digest.update(path.relative_to(code_root(ctx)).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _bounded(error: str, limit: int = 2000) -> str:
    return (
        error if len(error) <= limit else error[: limit // 2] + "\n[...]\n" + error[-limit // 2 :]
    )


def repair_loop(
    ctx: StageContext, spec: KitSpec, check: Callable[[], str | None], phase: str
) -> int:
    """Run ``check``; while it reports an error, record the failure and rebuild the code."""
    attempts = int(ctx.project.options["repair_attempts"])
    for attempt in range(1, attempts + 2):
        error = check()
        if error is None:
            return attempt - 1
        code = _code_hash(ctx)[:10]
        ctx.app.aras.add_traces(
            ctx.slug,
            [
                TraceItem(
                    "failure",
                    {
                        "id": f"F-{phase}-{code}",
                        "title": f"{phase} failed with code {code}",
                        "tried": f"experiment code version {code} (attempt {attempt})",
                        "why_failed": _bounded(error),
                        "failure_class": "bug",
                        "hypothesis": f"the code of spec {spec.id} runs cleanly",
                        "lesson": "the error was sent back to the builder for a repair",
                        "tags": ["code", phase],
                    },
                )
            ],
            event="code.failure",
            skip_existing=True,
            origin=BUILDER,
        )
        if attempt > attempts:
            break
        ctx.report(f"repair attempt {attempt}: rebuilding the code", None)
        files, _ = coding.build(ctx, spec, attempt=attempt, error=error)
        coding.write(
            ctx,
            spec,
            files,
            event="code.repair",
            origin=BUILDER,
            summary=f"repair attempt {attempt} after a failed {phase}",
        )
    raise RepairExhausted(
        f"the experiment code still fails its {phase} after {attempts} "
        f"repair attempt(s): {error.splitlines()[-1] if error else ''}",
        fix="see the failure traces (F-*) in the ARA; redo with "
        f"`researchos run {ctx.project.id} --redo code`",
    )


def _run_tests(ctx: StageContext, spec: KitSpec) -> str | None:
    if not (code_root(ctx) / "tests").is_dir():
        return None
    record = ctx.app.runs.run(
        RunSpec(
            command=["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
            code_dir=code_root(ctx),
            ara=ctx.slug,
            limits={"wall_time": 300},
            label=f"{ctx.project.id} {spec.id} reviewer tests",
        )
    )
    if record.result_class == "succeeded":
        return None
    return f"the reviewer's tests failed (run {record.id}):\n{_tail(ctx, record.id)}"


_EXCEPTION = re.compile(r"\b([A-Z]\w*(?:Error|Exception)): ([^\\\n'\"]{1,160})")


def _tail(ctx: StageContext, run_id: str, lines: int = 30) -> str:
    """The exception lines of a failed run's logs first, then the last lines."""
    text = ""
    for stream in ("stdout", "stderr"):
        path = ctx.app.runs.log_path(run_id, stream)
        if path.exists():
            text += path.read_text("utf-8", errors="replace")
    all_lines = text.splitlines()
    found = (f"{m.group(1)}: {m.group(2).strip()}" for m in _EXCEPTION.finditer(text))
    errors = [e for e in dict.fromkeys(found) if not e.startswith("AssertionError")][:5]
    head = ["exceptions: " + " | ".join(errors)] if errors else []
    return "\n".join(head + all_lines[-lines:])


@stage("code", order=40)
def write_code(ctx: StageContext) -> dict[str, Any]:
    """Builder + reviewer write the experiment; the reviewer's tests must pass."""
    spec = registered_spec(ctx)
    files, notes = coding.build(ctx, spec, attempt=0)
    coding.write(
        ctx,
        spec,
        files,
        event="code.write",
        origin=BUILDER,
        summary=f"experiment code for {spec.id}: {len(files)} files, reviewed",
    )
    repairs = repair_loop(ctx, spec, lambda: _run_tests(ctx, spec), "tests")
    return {
        "summary": f"{len(files)} files written; {len(notes)} review notes; {repairs} repair(s)",
        "files": sorted(files),
        "review_notes": notes,
        "repairs": repairs,
        "code_hash": _code_hash(ctx),
        "routing": ctx.outputs.get("_routing", {}).get("code"),
    }


def execute(
    ctx: StageContext, spec: KitSpec, pairs: list[tuple[str, int]], phase: str
) -> list[Outcome]:
    """Run (condition, seed) pairs through the executor; record and return the outcomes."""
    total = len(pairs)

    def progress(event: RunProgress) -> None:
        if event.status == "finished":
            ctx.report(f"{phase}: {event.done}/{total} runs finished", event.done / total)

    specs = [run_spec(ctx, spec, condition, seed, phase) for condition, seed in pairs]
    records = ctx.app.executor.map(specs, progress=progress)
    outcomes = []
    for (condition, seed), record in zip(pairs, records, strict=True):
        if record.result_class == "sandbox_error":  # infrastructure: one retry
            record = ctx.app.runs.run(run_spec(ctx, spec, condition, seed, phase))
        outcome = judge(record, ctx.app.runs.run_dir(record.id), condition, seed, spec.metrics)
        record_outcome(ctx, spec, outcome, phase, attempt=0)
        budget.charge(
            ctx.app,
            project_id=ctx.project.id,
            resource="cpu_s",
            amount=record.cpu_time or record.duration or 0.0,
            note=f"{phase} run {record.id}",
        )
        outcomes.append(outcome)
    return outcomes


def _failures(ctx: StageContext, outcomes: list[Outcome]) -> str | None:
    bad = [o for o in outcomes if o.result_class != SUCCEEDED_VALID]
    if not bad:
        return None
    first = bad[0]
    return (
        f"{len(bad)} of {len(outcomes)} runs failed; first: condition "
        f"{first.record.condition} seed {first.record.seed}: {first.result_class} "
        f"({first.problem})\n{_tail(ctx, first.record.id)}"
    )


@stage("pilot", order=50, gate_after="post_pilot_evidence")
def pilot(ctx: StageContext) -> dict[str, Any]:
    """One seed per condition proves the code before the full runs (then a human gate)."""
    spec = registered_spec(ctx)
    seed = spec.seeds[0]
    pairs = [(condition, seed) for condition in spec.condition_names]
    budget.precheck(
        ctx.app,
        project_id=ctx.project.id,
        resource="cpu_s",
        estimate=shortlisted_idea(ctx).cost_cpu_seconds * len(pairs),
        what=f"the pilot of {spec.id}",
    )
    latest: list[Outcome] = []

    def check() -> str | None:
        latest[:] = execute(ctx, spec, pairs, "pilot")
        return _failures(ctx, latest)

    repairs = repair_loop(ctx, spec, check, "pilot")
    values = {f"{o.record.condition}": _first_value(o) for o in latest}
    return {
        "summary": f"Pilot of {spec.id}: {len(pairs)} runs (seed {seed}) succeeded after "
        f"{repairs} repair(s). Primary metric {spec.analysis.primary_metric} "
        f"per condition: {json.dumps(values)}",
        "runs": [o.record.id for o in latest],
        "repairs": repairs,
    }


def _first_value(outcome: Outcome) -> float | None:
    if outcome.metrics_path is None:
        return None
    for line in outcome.metrics_path.read_text("utf-8").splitlines():
        row = json.loads(line)
        return float(row["value"])
    return None


@stage("runs", order=60)
def run_all(ctx: StageContext) -> dict[str, Any]:
    """Every condition x seed of the spec; finished pairs are never run twice."""
    spec = registered_spec(ctx)
    done = succeeded_runs(ctx, spec.id)
    pairs = [pair for pair in spec.runs() if pair not in done]
    idea = shortlisted_idea(ctx)
    if pairs:
        budget.precheck(
            ctx.app,
            project_id=ctx.project.id,
            resource="cpu_s",
            estimate=idea.cost_cpu_seconds * len(pairs),
            what=f"{len(pairs)} runs of {spec.id}",
        )
        execute(ctx, spec, pairs, "full")
    done = succeeded_runs(ctx, spec.id)
    classes: dict[str, int] = {}
    with ctx.app.database.session() as session:
        from researchos.store import research

        for run in research.list_runs(session, project_id=ctx.project.id, spec_id=spec.id):
            classes[run.result_class] = classes.get(run.result_class, 0) + 1
    missing = [pair for pair in spec.runs() if pair not in done]
    return {
        "summary": f"{len(done)} of {len(spec.runs())} runs valid"
        + (f"; missing {missing}" if missing else ""),
        "valid": len(done),
        "planned": len(spec.runs()),
        "result_classes": classes,
        "missing": [list(p) for p in missing],
    }
