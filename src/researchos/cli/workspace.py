"""Workspace commands: init, log, reindex, config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from researchos.app import resolve_home
from researchos.cli.context import get_app, state
from researchos.cli.output import emit_json, say, table
from researchos.history.commits import read_log
from researchos.settings import Settings, masked
from researchos.store import index
from researchos.workspace import init_workspace

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
config_app = typer.Typer(no_args_is_help=True, help="Inspect settings.")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("log")(log)
    app.command("reindex")(reindex)
    app.add_typer(config_app, name="config")


def init(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Where to create the workspace (default: RESEARCHOS_HOME or the per-user "
            "data directory)."
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Create a workspace (a git repository with the standard layout). Safe to repeat."""
    st = state(ctx)
    root = resolve_home(st.settings, path or st.home)
    workspace, created = init_workspace(root, actor=st.settings.actor_ref)
    if json_out:
        emit_json({"path": str(workspace.root), "created": created})
        return
    verb = "Created" if created else "Workspace already exists at"
    say(f"{verb} {workspace.root}")
    if created:
        say('Next: `researchos ara new "My first ARA"` or `researchos demo`.')


def log(
    ctx: typer.Context,
    ara: Annotated[str | None, typer.Option("--ara", help="Only this ARA.")] = None,
    claim: Annotated[str | None, typer.Option("--claim", help="Only this claim id.")] = None,
    event: Annotated[str | None, typer.Option("--event", help="Only this event.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most N entries.")] = 50,
    json_out: JsonFlag = False,
) -> None:
    """Show the semantic history of the workspace, newest first."""
    app = get_app(ctx)
    entries = read_log(app.workspace.git, ara=ara, claim=claim, event=event, limit=limit)
    if json_out:
        emit_json([entry.to_dict() for entry in entries])
        return
    table(
        None,
        ["date", "event", "scope", "summary", "actor", "commit"],
        ([e.date[:19], e.event, e.scope, e.summary, e.actor, e.commit[:10]] for e in entries),
    )


def reindex(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Rebuild the store's content and knowledge indexes from the files (the files win)."""
    app = get_app(ctx)
    with app.database.session() as session:
        result = index.reindex(session, app.workspace.ara_dir)
    knowledge = app.knowledge.reindex()
    if json_out:
        emit_json({**result.to_dict(), "knowledge": knowledge.to_dict()})
        return
    say(f"Indexed {result.aras} ARA(s), {result.claims} claim(s), {result.traces} trace(s).")
    say(f"Indexed {knowledge.pages} knowledge page(s) for {knowledge.mode} search.")
    for line in [*result.skipped, *knowledge.problems]:
        say(f"[yellow]skipped[/yellow] {escape(line)}")


@config_app.command("show")
def config_show(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Show the effective settings; secrets are masked."""
    settings = state(ctx).settings
    values = masked(settings)
    values["home"] = str(resolve_home(settings, state(ctx).home))
    if json_out:
        emit_json(values)
        return
    table(
        "Settings",
        ["setting", "value", "env"],
        ([name, value, f"RESEARCHOS_{name.upper()}"] for name, value in values.items()),
    )


__all__ = ["Settings", "register"]
