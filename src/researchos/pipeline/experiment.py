"""The project's one shortlisted experiment: its spec, code and runs, as stored.

Helpers shared by the spec, code, pilot, runs and analysis stages: where files live in the
ARA, how a (condition, seed) run is submitted, and how a run record becomes a result class.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from researchos.errors import Conflict
from researchos.kits.models import IdeaSeed, KitSpec
from researchos.pipeline.stages import StageContext
from researchos.runs.models import RunRecord, RunSpec
from researchos.store import research

CODE_DIR = "code"
SRC_DIR = "code/src"
SPECS_DIR = "code/specs"
RUN_EVIDENCE = "evidence/raw/runs/{condition}/seed-{seed}/metrics.jsonl"
# pipeline result classes (DESIGN: every run ends in exactly one)
SUCCEEDED_VALID = "succeeded_valid"
RESULT_CLASSES = (
    SUCCEEDED_VALID,
    "succeeded_invalid",
    "failed_retriable",
    "failed_terminal",
    "timed_out",
    "canceled",
)


@dataclass(frozen=True)
class Outcome:
    """A finished run as the pipeline judges it."""

    record: RunRecord
    result_class: str
    metrics_path: Path | None
    metrics_sha256: str | None
    problem: str | None


def shortlisted_idea(ctx: StageContext) -> IdeaSeed:
    shortlist = (ctx.outputs.get("funnel") or {}).get("shortlist") or []
    if not shortlist:
        raise Conflict(
            "the funnel shortlisted no idea, so there is nothing to run",
            fix=f"raise the intake (`researchos project new --ideas N`) or redo "
            f"from ideas: `researchos run {ctx.project.id} --redo ideas`",
        )
    with ctx.app.database.session() as session:
        ideas = {i.idea_id: i for i in research.list_ideas(session, project_id=ctx.project.id)}
    return IdeaSeed.from_dict(ideas[shortlist[0]].payload, source="ideas table")


def registered_spec(ctx: StageContext) -> KitSpec:
    with ctx.app.database.session() as session:
        specs = research.list_specs(session, project_id=ctx.project.id)
    if not specs:
        raise Conflict(
            "no spec is registered for this project",
            fix=f"`researchos run {ctx.project.id} --redo specs`",
        )
    return KitSpec.from_dict(specs[0].payload, source="specs table")


def code_root(ctx: StageContext) -> Path:
    return ctx.app.aras.paths(ctx.slug).root / SRC_DIR


def run_spec(ctx: StageContext, spec: KitSpec, condition: str, seed: int, phase: str) -> RunSpec:
    return RunSpec(
        command=["python", "main.py"],
        code_dir=code_root(ctx),
        seed=seed,
        condition=condition,
        ara=ctx.slug,
        limits={"wall_time": spec.run_timeout_seconds},
        label=f"{ctx.project.id} {spec.id} {phase} {condition} seed {seed}",
    )


def judge(
    record: RunRecord, run_dir: Path, condition: str, seed: int, metrics: Iterable[str]
) -> Outcome:
    """Map a run record to a result class, checking the run contract's metrics file."""
    cls = {
        "cancelled": "canceled",
        "sandbox_error": "failed_retriable",
        "failed": "failed_terminal",
    }.get(record.result_class or "")
    if record.result_class == "limit_exceeded":
        cls = "timed_out" if record.limit_fired == "wall_time" else "failed_terminal"
    if cls is not None:
        why = record.error or f"exit {record.exit_code}"
        if record.limit_fired:
            why = f"limit {record.limit_fired} fired"
        return Outcome(record, cls, None, None, why)
    output = next((o for o in record.outputs if o.path == "metrics.jsonl"), None)
    path = run_dir / "work" / "metrics.jsonl"
    if output is None or not path.is_file():
        return Outcome(record, "succeeded_invalid", None, None, "no metrics.jsonl written")
    problem = metrics_problem(path, condition, seed, set(metrics))
    if problem:
        return Outcome(record, "succeeded_invalid", path, output.sha256, problem)
    return Outcome(record, SUCCEEDED_VALID, path, output.sha256, None)


def metrics_problem(path: Path, condition: str, seed: int, metrics: set[str]) -> str | None:
    """Why a metrics.jsonl breaks the run contract (None when it is fine)."""
    seen: set[str] = set()
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            return f"line {number} is not JSON"
        if row.get("condition") != condition or row.get("seed") != seed:
            return f"line {number} reports condition/seed {row.get('condition')}/{row.get('seed')}"
        value = row.get("value")
        if not isinstance(value, int | float) or not math.isfinite(value):
            return f"line {number}: value {value!r} is not a finite number"
        seen.add(str(row.get("metric")))
    missing = sorted(metrics - seen)
    return f"metrics {', '.join(missing)} were not reported" if missing else None


def evidence_path(condition: str, seed: int) -> str:
    return RUN_EVIDENCE.format(condition=condition, seed=seed)


def record_outcome(
    ctx: StageContext, spec: KitSpec, outcome: Outcome, phase: str, attempt: int
) -> None:
    with ctx.app.database.session() as session:
        research.record_run(
            session,
            project_id=ctx.project.id,
            spec_id=spec.id,
            condition=outcome.record.condition or "",
            seed=outcome.record.seed or 0,
            phase=phase,
            attempt=attempt,
            run_id=outcome.record.id,
            result_class=outcome.result_class,
            metrics_path=str(outcome.metrics_path) if outcome.metrics_path else None,
            metrics_sha256=outcome.metrics_sha256,
            cpu_s=outcome.record.cpu_time or 0.0,
            error=outcome.problem,
        )


def succeeded_runs(ctx: StageContext, spec_id: str) -> dict[tuple[str, int], Any]:
    """The latest valid run per (condition, seed)."""
    with ctx.app.database.session() as session:
        runs = research.list_runs(session, project_id=ctx.project.id, spec_id=spec_id)
    return {(r.condition, r.seed): r for r in runs if r.result_class == SUCCEEDED_VALID}
