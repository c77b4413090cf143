"""``researchos demo``: a built-in brief, end to end, to a verified and signed package.

With no keys the mock provider drives every stage, and the built-in experiment kits run real
experiments in the sandbox: the numbers in the claims are measured, not invented.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from researchos.app import build_app, resolve_home
from researchos.cli.context import state
from researchos.cli.output import console, emit_json, say, table
from researchos.pipeline.engine import run_project
from researchos.pipeline.projects import create_project

DEMO_BRIEF = """\
# Does standardising features help k-NN on the wine dataset?

k-nearest-neighbour classifiers measure distances, so features on large scales may dominate.
Compare k-NN with and without feature standardisation on scikit-learn's wine data, across
several seeds, and report accuracy and macro-F1 with confidence intervals. Tree ensembles are
scale-invariant and are a useful negative control.
"""


def demo(
    ctx: typer.Context,
    mode: Annotated[
        str | None,
        typer.Option(help="mock, smoke or production (default: the routing policy's run mode)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run a built-in brief end to end: ideas, funnel, experiments, claims, signed package."""
    st = state(ctx)
    app = build_app(st.settings, home=resolve_home(st.settings, st.home), create=True)
    started = time.perf_counter()
    project = create_project(app, brief=DEMO_BRIEF, mode=mode or app.run_mode)
    if not json_out:
        say(f"Workspace: {app.workspace.root}\nProject: {project.id} (mode {project.mode})")
    outcome = _run(app, project.id, quiet=json_out)
    elapsed = time.perf_counter() - started
    stages = _stage_outputs(app, project.id)
    package = stages.get("package", {})
    claims = app.aras.claims(project.ara_slug)
    if json_out:
        emit_json(
            {
                "project": project.id,
                "status": outcome.status,
                "seconds": elapsed,
                "claims": [c.model_dump(mode="json") for c in claims],
                "package": package,
                "error": outcome.error,
            }
        )
    else:
        _print_summary(app, project.id, outcome, claims, package, elapsed)
    app.close()
    if outcome.status != "completed":
        raise typer.Exit(1)


def _run(app, project_id: str, *, quiet: bool):
    if quiet:
        return run_project(app, project_id)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, message: str, done: float | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=1.0)
            bar.update(
                tasks[stage], description=message[:60], completed=done if done is not None else None
            )

        return run_project(app, project_id, progress=progress)


def _stage_outputs(app, project_id: str) -> dict[str, dict]:
    from researchos.store import projects as store

    with app.database.session() as session:
        states = store.stage_states(session, project_id=project_id)
    return {name: state.output for name, state in states.items()}


def _print_summary(app, project_id, outcome, claims, package, elapsed: float) -> None:
    if outcome.status != "completed":
        say(
            f"[red]Project {project_id}: {outcome.status}[/red] — "
            f"{outcome.error or outcome.waiting_for}"
        )
        return
    table(
        "Claims (numbers measured by sandboxed runs)",
        ["id", "kind", "status", "statement"],
        ([c.id, c.kind, c.status, c.statement] for c in claims),
    )
    mark = "verified" if package.get("verified") else "NOT VERIFIED"
    say(f"Package: {package.get('zip')} ({mark}; signer {package.get('fingerprint', '')[:16]})")
    say(f"Verify it yourself: researchos package verify {package.get('zip')}")
    say(
        f"Finished in {elapsed:.1f} s. Explore it in the console: researchos serve "
        f"(http://{app.settings.serve_host}:{app.settings.serve_port})"
    )
