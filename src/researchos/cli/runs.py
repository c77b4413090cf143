"""``researchos runs ...``: list, inspect, read the logs of and cancel sandboxed runs."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.cli.sandbox import show_record

app = typer.Typer(no_args_is_help=True, help="List, inspect and cancel sandboxed runs.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
RunId = Annotated[str, typer.Argument(help="Run id (a unique prefix is enough).")]


@app.command("ls")
def ls(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="queued, running, cancelling or finished.")
    ] = None,
    ara: Annotated[str | None, typer.Option(help="Only runs of this ARA.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    json_out: JsonFlag = False,
) -> None:
    """List runs, newest first."""
    records = get_app(ctx).runs.list(limit=limit, status=status, ara=ara)
    if json_out:
        emit_json([r.summary() for r in records])
        return
    columns = ["id", "status", "result", "runner", "exit", "limit", "duration", "ara", "label"]
    table("Runs", columns, ([r.summary()[c] for c in columns] for r in records))


@app.command("show")
def show(ctx: typer.Context, run_id: RunId, json_out: JsonFlag = False) -> None:
    """Show one run's full record."""
    record = get_app(ctx).runs.get(run_id)
    if json_out:
        emit_json(record.model_dump(mode="json"))
        return
    show_record(record)
    if record.outputs:
        table(
            "Outputs",
            ["path", "kind", "size", "sha256"],
            ([o.path, o.kind, o.size, (o.sha256 or o.target or "")[:16]] for o in record.outputs),
        )


@app.command("logs")
def logs(
    ctx: typer.Context,
    run_id: RunId,
    stderr: Annotated[bool, typer.Option("--stderr", help="Show stderr instead.")] = False,
    tail: Annotated[int | None, typer.Option(help="Only the last N lines.")] = None,
) -> None:
    """Print a run's stdout (or stderr) log."""
    path = get_app(ctx).runs.log_path(run_id, "stderr" if stderr else "stdout")
    data = path.read_bytes() if path.is_file() else b""
    if tail is not None:
        data = b"".join(data.splitlines(keepends=True)[-tail:])
    sys.stdout.write(data.decode("utf-8", "replace"))


@app.command("cancel")
def cancel(ctx: typer.Context, run_id: RunId, json_out: JsonFlag = False) -> None:
    """Ask a queued or running run to stop (its sandbox is killed within a second)."""
    record = get_app(ctx).runs.request_cancel(run_id)
    if json_out:
        emit_json(record.summary())
        return
    say(f"run {record.id}: {record.status}")
