"""``researchos distill``: a session transcript becomes an ARA; ``--watch DIR`` distils a queue."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, err_console, say, seal_line

if TYPE_CHECKING:
    from researchos.distill import Distiller, DistillReport
    from researchos.distill.watch import FileResult, Watcher
from researchos.errors import InputError

PROGRESS_MIN_BYTES = 8 << 20


def distill(
    ctx: typer.Context,
    transcript: Annotated[
        Path | None,
        typer.Argument(help="Claude Code or Codex CLI session JSONL, .ipynb notebook or text."),
    ] = None,
    ara: Annotated[
        str | None, typer.Option("--ara", help="Append to this ARA instead of creating one.")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="claude, codex, notebook or text (default: detected)."),
    ] = None,
    watch: Annotated[
        Path | None, typer.Option("--watch", help="Distil new or changed transcripts in DIR.")
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="With --watch: process what is there, then exit.")
    ] = False,
    settle: Annotated[
        float, typer.Option("--settle", help="Seconds a file must stay unchanged.", min=0)
    ] = 2.0,
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between polls of DIR.", min=0.05)
    ] = 2.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Distil a coding session into an ARA: claims, dead ends, decisions, checkpoints."""
    if (transcript is None) == (watch is None):
        raise InputError(
            "give either a TRANSCRIPT or --watch DIR",
            field="TRANSCRIPT",
            fix="`researchos distill session.jsonl` or `researchos distill --watch DIR --once`",
        )
    app = get_app(ctx)
    distiller = app.distiller
    if watch is not None:
        from researchos.distill.watch import Watcher

        watcher = Watcher(app, distiller, watch, ara=ara, fmt=fmt, settle=settle, interval=interval)
        _watch(watcher, once=once, as_json=as_json)
        return
    assert transcript is not None
    report = _one(distiller, transcript, ara, fmt)
    if as_json:
        emit_json(report.to_dict())
    else:
        _show(report)


def _one(distiller: Distiller, path: Path, ara: str | None, fmt: str | None) -> DistillReport:
    size = path.stat().st_size if path.is_file() else 0
    if size < PROGRESS_MIN_BYTES:
        return distiller.distill(path, ara=ara, fmt=fmt)
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
    with bar:
        task = bar.add_task(f"reading {path.name}", total=size)
        return distiller.distill(path, ara=ara, fmt=fmt, progress=lambda n: bar.advance(task, n))


def _show(report: DistillReport) -> None:
    say(
        f"distilled [bold]{escape(report.transcript)}[/bold] ({report.format}, {report.lines} "
        f"lines) in {report.seconds:.2f} s \\[{report.mode}]"
    )
    say("  events: " + ", ".join(f"{k} {v}" for k, v in report.events.items()))
    proposed, accepted = sum(report.proposed.values()), sum(report.accepted.values())
    say(f"  proposed {proposed} · accepted {accepted} · rejected {sum(report.rejected.values())}")
    state = "new" if report.created else "appended"
    say(f"  ARA [bold]{report.ara}[/bold] ({state}): claims {', '.join(report.claims) or '—'}")
    say(f"  traces {', '.join(report.traces) or '—'}")
    say(f"  evidence {report.evidence} ({report.evidence_mode})")
    if line := seal_line(report.hooks.get("after_distill_seal")):
        say(f"  {line}")
    for warning in report.warnings:
        say(f"  [yellow]warning:[/yellow] {escape(warning)}")
    for rejection in report.rejections:
        item, reason = escape(rejection["item"][:80]), escape(rejection["reason"])
        say(f"  [red]rejected[/red] {rejection['kind']}: {item} — {reason}")


def _line(result: FileResult) -> str:
    colour = {"done": "green", "skipped": "dim", "failed": "red"}[result.status]
    text = f"[{colour}]{result.status:7}[/{colour}] {escape(result.file)}"
    if result.status == "done":
        text += (
            f" -> {result.ara} ({result.claims} claims, {result.traces} traces, "
            f"{result.rejected} rejected) {result.seconds:.2f} s"
        )
    elif result.detail:
        text += f" — {escape(result.detail)}"
    return text


def _watch(watcher: Watcher, *, once: bool, as_json: bool) -> None:
    def report(result: FileResult) -> None:
        if as_json and not once:
            sys.stdout.write(json.dumps(result.to_dict()) + "\n")
            sys.stdout.flush()
        elif not as_json:
            say(_line(result))

    if not as_json:
        err_console.print(f"watching {escape(str(watcher.root))}" + (" (once)" if once else ""))
    summary = watcher.run(once=once, report=report)
    counts = summary.counts()
    if as_json:
        emit_json(summary.to_dict())
    else:
        say(f"{counts['done']} done, {counts['skipped']} skipped, {counts['failed']} failed")
    if counts["failed"]:
        raise typer.Exit(code=1)
