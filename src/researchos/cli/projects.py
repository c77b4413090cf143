"""``researchos project ...``, ``researchos run`` and ``researchos review ...``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from researchos.cli.context import get_app
from researchos.cli.output import console, emit_json, say, table
from researchos.files import read_text
from researchos.pipeline import budget, issues
from researchos.pipeline.engine import redo_from, run_project
from researchos.pipeline.projects import create_project
from researchos.store import projects as store
from researchos.store import research

app = typer.Typer(no_args_is_help=True, help="Research projects: brief to signed package.")
review_app = typer.Typer(no_args_is_help=True, help="Review issues (P0-P3) of a project.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ProjectArg = Annotated[str, typer.Argument(help="Project id (see `researchos project list`).")]


@app.command("new")
def new(
    ctx: typer.Context,
    brief: Annotated[
        Path, typer.Option("--brief", help="Markdown/text file with the research brief.")
    ],
    background: Annotated[
        Path | None, typer.Option("--background", help="ZIP of background material (≤ 512 MB).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Default: the brief's first line.")] = None,
    hitl: Annotated[bool, typer.Option("--hitl", help="Stop at the human gates.")] = False,
    mode: Annotated[
        str | None,
        typer.Option(help="mock, smoke or production (default: the routing policy's run mode)."),
    ] = None,
    ideas: Annotated[int | None, typer.Option(help="Ideas to generate (S0 intake).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Create a project (and its ARA) from a research brief."""
    application = get_app(ctx)
    options = {"ideas": ideas} if ideas else {}
    project = create_project(
        application,
        brief=read_text(brief, display=str(brief)),
        title=title,
        background=background,
        hitl=hitl,
        mode=mode or application.run_mode,
        options=options,
    )
    if json_out:
        emit_json(project.to_dict())
        return
    say(
        f"Created project [bold]{project.id}[/bold] (mode {project.mode}"
        f"{', HITL' if hitl else ''}). Next: `researchos run {project.id}`"
    )


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """List projects with their status."""
    with get_app(ctx).database.session() as session:
        projects = store.list_projects(session)
    if json_out:
        emit_json([p.to_dict() for p in projects])
        return
    table(
        "Projects",
        ["id", "title", "status", "mode", "hitl", "created"],
        ([p.id, p.title, p.status, p.mode, p.hitl, p.created.isoformat()[:19]] for p in projects),
    )


@app.command("show")
def show(ctx: typer.Context, project_id: ProjectArg, json_out: JsonFlag = False) -> None:
    """Show a project's stages, ideas, specs, runs and budget."""
    application = get_app(ctx)
    with application.database.session() as session:
        project = store.get_project(session, project_id=project_id)
        states = store.stage_states(session, project_id=project_id)
        ideas = research.list_ideas(session, project_id=project_id)
        specs = research.list_specs(session, project_id=project_id)
        runs = research.list_runs(session, project_id=project_id)
    money = budget.summary(application, project_id=project_id)
    if json_out:
        emit_json(
            {
                "project": project.to_dict(),
                "stages": {k: v.to_dict() for k, v in states.items()},
                "ideas": [i.to_dict() for i in ideas],
                "specs": [s.to_dict() for s in specs],
                "runs": [r.to_dict() for r in runs],
                "budget": money,
            }
        )
        return
    say(f"[bold]{project.title}[/bold] ({project.id}) — {project.status}, mode {project.mode}")
    if project.error:
        say(f"[red]{project.error}[/red]")
    table(
        "Stages",
        ["stage", "status", "attempts", "error"],
        ([s.stage, s.status, s.attempts, s.error or ""] for s in states.values()),
    )
    shortlisted = [i for i in ideas if i.decision == "shortlisted"]
    say(
        f"Ideas: {len(ideas)} generated, {len(shortlisted)} shortlisted; specs: {len(specs)}; "
        f"runs: {len(runs)}"
    )
    say(f"Budget: {money['cpu_s']['spent']:.1f} of {money['cpu_s']['limit']:.0f} CPU s")


@app.command("budget")
def set_budget(
    ctx: typer.Context,
    project_id: ProjectArg,
    cpu_s: Annotated[float | None, typer.Option("--cpu_s")] = None,
    tokens: Annotated[float | None, typer.Option("--tokens")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Show or raise a project's budget (CPU seconds, model tokens)."""
    application = get_app(ctx)
    for resource, amount in (("cpu_s", cpu_s), ("tokens", tokens)):
        if amount is not None:
            budget.set_limit(application, project_id=project_id, resource=resource, amount=amount)
    money = budget.summary(application, project_id=project_id)
    if json_out:
        emit_json(money)
        return
    table(
        "Budget",
        ["resource", "limit", "spent", "remaining"],
        ([r, v["limit"], v["spent"], v["remaining"]] for r, v in money.items()),
    )


def run(
    ctx: typer.Context,
    project_id: ProjectArg,
    redo: Annotated[
        str | None, typer.Option("--redo", help="Reset this stage and all later ones first.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Run (or resume) a project until it completes, fails or reaches a human gate."""
    application = get_app(ctx)
    if redo:
        redo_from(application, project_id, redo)
    if json_out:
        outcome = run_project(application, project_id)
        emit_json(outcome.to_dict())
    else:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, message: str, done: float | None) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=1.0)
                bar.update(
                    tasks[stage],
                    description=f"{stage}: {message}"[:70],
                    completed=done if done is not None else None,
                )

            outcome = run_project(application, project_id, progress=progress)
        say(
            f"Project {project_id}: {outcome.status}"
            + (f" — {outcome.waiting_for}" if outcome.waiting_for else "")
            + (f" — {outcome.error}" if outcome.error else "")
        )
    if outcome.status == "failed":
        raise typer.Exit(1)


@review_app.command("list")
def review_list(ctx: typer.Context, project_id: ProjectArg, json_out: JsonFlag = False) -> None:
    """List a project's review issues."""
    found = issues.list_issues(get_app(ctx), project_id=project_id)
    if json_out:
        emit_json([i.to_dict() for i in found])
        return
    table(
        "Review issues",
        ["id", "sev", "status", "source", "message"],
        ([i.issue_id, i.severity, i.status, i.source, i.message] for i in found),
    )


def _change(
    ctx: typer.Context,
    project_id: str,
    issue_id: str,
    status: str,
    reason: str | None,
    json_out: bool,
) -> None:
    issue = issues.change(
        get_app(ctx), project_id=project_id, issue_id=issue_id, status=status, reason=reason
    )
    if json_out:
        emit_json(issue.to_dict())
    else:
        say(f"{issue.issue_id}: {issue.status}")


@review_app.command("resolve")
def review_resolve(
    ctx: typer.Context,
    project_id: ProjectArg,
    issue_id: str,
    reason: Annotated[str | None, typer.Option()] = None,
    json_out: JsonFlag = False,
) -> None:
    """Mark a review issue resolved."""
    _change(ctx, project_id, issue_id, "resolved", reason, json_out)


@review_app.command("waive")
def review_waive(
    ctx: typer.Context,
    project_id: ProjectArg,
    issue_id: str,
    reason: Annotated[str, typer.Option(help="Why it may stay.")],
    json_out: JsonFlag = False,
) -> None:
    """Waive a P2/P3 review issue (P0/P1 cannot be waived)."""
    _change(ctx, project_id, issue_id, "waived", reason, json_out)


@review_app.command("reopen")
def review_reopen(
    ctx: typer.Context,
    project_id: ProjectArg,
    issue_id: str,
    reason: Annotated[str | None, typer.Option()] = None,
    json_out: JsonFlag = False,
) -> None:
    """Reopen a resolved or waived review issue."""
    _change(ctx, project_id, issue_id, "reopened", reason, json_out)
