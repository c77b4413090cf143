"""Seal L3, reproduction: re-run ``code/reproduce.sh`` in the sandbox and diff the outputs.

The script runs as one sandboxed run (``app.runs``) with the ARA's whole ``code/`` directory
as its code and ``OUTDIR`` inside the run's work directory. Its outputs
(``OUTDIR/<condition>/seed-<n>/<file>``) are compared file by file with the recorded ones at
``<recorded_runs_dir>/<condition>/seed-<n>/<file>`` (``system/seal-policy.yaml``; default
``evidence/raw/runs``), with the spec's tolerance when it declares one, else the policy's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from researchos.files import iter_files
from researchos.history.git import Git
from researchos.kits.environment import environment_drift
from researchos.runs.models import RunRecord, RunSpec
from researchos.seal.context import SealContext
from researchos.seal.diff import diff_file
from researchos.seal.l1_structure import LOCK, REPRODUCE
from researchos.seal.numbers import Tolerance
from researchos.seal.registry import Finding, seal_check
from researchos.seal.seeds import seed_history
from researchos.seal.specs import SpecInfo, load_specs

OUTDIR = "seal-reproduction"
MIN_WALL_TIME = 120.0
STDERR_TAIL = 5


def _specs(ctx: SealContext) -> list[SpecInfo]:
    if "l3_specs" not in ctx.details:
        specs, errors = load_specs(ctx.paths.root, ctx.policy.specs_dir)
        ctx.details["l3_specs"] = specs
        ctx.details["l3_spec_errors"] = errors
    return list(ctx.details["l3_specs"])


def tolerance(ctx: SealContext) -> tuple[Tolerance, str]:
    for spec in _specs(ctx):
        if spec.tolerance is not None:
            return spec.tolerance, spec.path
    policy = ctx.policy
    return Tolerance(policy.numeric_rel_tolerance, policy.numeric_abs_tolerance), "seal-policy"


@seal_check(3, name="l3.seeds")
def seeds(ctx: SealContext) -> Iterator[Finding]:
    """Every seed was registered in a committed spec before the first run's evidence."""
    specs = _specs(ctx)
    for error in ctx.details["l3_spec_errors"]:
        yield Finding("l3.seeds", ctx.display(error.file or ""), error.field, error.problem)
    specs_name = ctx.display(ctx.policy.specs_dir)
    history = seed_history(
        Git(ctx.app.workspace.root), ctx.slug, ctx.policy.specs_dir, ctx.policy.recorded_runs_dir
    )
    wanted = {seed: spec.path for spec in specs for seed in spec.seeds}
    for seed, commit in history.recorded.items():
        wanted.setdefault(seed, f"{ctx.policy.recorded_runs_dir} ({commit.describe()})")
    if not specs and not history.registered:
        yield Finding(
            "l3.seeds", specs_name, None, "no pre-registered spec: seeds were never recorded"
        )
        return
    for seed in sorted(wanted):
        yield from _seed_findings(ctx, seed, wanted[seed], history)


def _seed_findings(ctx: SealContext, seed: int, where: str, history: Any) -> Iterator[Finding]:
    field = "seeds"
    if seed not in history.registered:
        yield Finding(
            "l3.seeds",
            ctx.display(where.split(" (")[0]),
            field,
            f"seed {seed} is in no spec committed to git under {ctx.policy.specs_dir}/",
        )
        return
    commit, spec = history.registered[seed]
    first = history.first_run
    if first is not None and commit.index >= first.index:
        yield Finding(
            "l3.seeds",
            ctx.display(spec),
            field,
            f"seed {seed} was registered at {commit.describe()}, not before the first run's "
            f"evidence at {first.describe()}",
        )


@seal_check(3, name="l3.reproduce")
def reproduce(ctx: SealContext) -> Iterator[Finding]:
    """``code/reproduce.sh OUTDIR`` runs to completion in the sandbox."""
    script = ctx.paths.root / REPRODUCE
    if not script.is_file():
        yield Finding("l3.reproduce", ctx.display(REPRODUCE), None, "missing: nothing to re-run")
        return
    record = ctx.app.runs.run(_run_spec(ctx))
    out = ctx.app.workspace.runs_dir / record.id / "work" / OUTDIR
    ctx.details["l3_run"] = {"record": record, "out": out}
    if record.result_class != "succeeded":
        yield Finding(
            "l3.reproduce",
            ctx.display(REPRODUCE),
            None,
            f"the reproduction run {record.id} ended {record.result_class} "
            f"(exit {record.exit_code}, limit {record.limit_fired}): {_stderr_tail(ctx, record)}",
        )


def _run_spec(ctx: SealContext) -> RunSpec:
    budget = sum(s.budget_cpu_seconds or 0.0 for s in _specs(ctx))
    limits: dict[str, Any] = {}
    if budget:
        limits["wall_time"] = max(MIN_WALL_TIME, budget * ctx.policy.runtime_slack * 4)
    return RunSpec(
        command=["./reproduce.sh", OUTDIR],
        code_dir=ctx.paths.code_dir,
        env={"PYTHON": "python"},
        limits=limits,
        label=f"seal L3 {ctx.slug}",
    )


def _stderr_tail(ctx: SealContext, record: RunRecord) -> str:
    if record.error:
        return record.error
    path = ctx.app.workspace.runs_dir / record.id / record.logs.get("stderr", "logs/stderr.log")
    lines = path.read_text("utf-8", "replace").splitlines() if path.is_file() else []
    return " | ".join(lines[-STDERR_TAIL:]) or "no output on stderr"


@seal_check(3, name="l3.outputs")
def outputs(ctx: SealContext) -> Iterator[Finding]:
    """The reproduction's outputs match the recorded ones within the numeric tolerance."""
    recorded_dir = ctx.policy.recorded_runs_dir
    recorded = ctx.paths.root / recorded_dir
    files = [p for p in iter_files(recorded) if p.name != ".gitkeep"] if recorded.is_dir() else []
    if not files:
        yield Finding(
            "l3.outputs",
            ctx.display(recorded_dir),
            None,
            "no recorded run outputs to compare (expected <condition>/seed-<n>/<file>)",
        )
        return
    run = ctx.details.get("l3_run")
    if run is None:
        return  # l3.reproduce said why
    tol, source = tolerance(ctx)
    ctx.details["l3_tolerance"] = {
        "relative": tol.relative,
        "absolute": tol.absolute,
        "from": source,
    }
    compared = 0
    for path in files:
        relative = path.relative_to(recorded).as_posix()
        yield from _compare(ctx, path, run["out"] / relative, f"{recorded_dir}/{relative}", tol)
        compared += 1
    ctx.details["l3_compared"] = compared


def _compare(
    ctx: SealContext, expected: Path, actual: Path, name: str, tol: Tolerance
) -> Iterator[Finding]:
    if not actual.is_file():
        yield Finding(
            "l3.outputs", ctx.display(name), None, "the reproduction did not write this file"
        )
        return
    for d in diff_file(expected, actual, tol):
        yield Finding(
            "l3.outputs",
            ctx.display(name),
            d.field,
            d.message,
            expected=d.expected,
            actual=d.actual,
        )


@seal_check(3, name="l3.runtime")
def runtime(ctx: SealContext) -> Iterator[Finding]:
    """The reproduction stayed within the claimed compute budget times the policy's slack."""
    run = ctx.details.get("l3_run")
    if run is None:
        return
    record: RunRecord = run["record"]
    used = record.cpu_time if record.cpu_time is not None else record.duration
    budgeted = [s for s in _specs(ctx) if s.budget_cpu_seconds]
    ctx.details["l3_runtime"] = {"cpu_seconds": used, "wall_seconds": record.duration}
    if not budgeted:
        yield Finding(
            "l3.runtime",
            ctx.display(ctx.policy.specs_dir),
            "budget_cpu_seconds",
            "no compute budget is claimed: the runtime cannot be checked",
            severity="warning",
        )
        return
    budget = sum(s.budget_cpu_seconds or 0.0 for s in budgeted)
    allowed = budget * ctx.policy.runtime_slack
    ctx.details["l3_runtime"].update(budget=budget, allowed=allowed)
    if used is not None and used > allowed:
        yield Finding(
            "l3.runtime",
            ctx.display(budgeted[0].path),
            "budget_cpu_seconds",
            f"the reproduction used {used:.3g} CPU-seconds, over the claimed budget of "
            f"{budget:.3g} s × slack {ctx.policy.runtime_slack:g}",
            expected=f"<= {allowed:.3g} s",
            actual=f"{used:.3g} s",
        )


@seal_check(3, name="l3.environment")
def environment(ctx: SealContext) -> Iterator[Finding]:
    """The interpreter that reproduced matches code/environment.lock (differences are warnings)."""
    path = ctx.paths.root / LOCK
    if not path.is_file():
        return
    for line in environment_drift(path.read_text("utf-8", "replace"))[:20]:
        yield Finding("l3.environment", ctx.display(LOCK), None, line, severity="warning")
