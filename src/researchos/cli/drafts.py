"""``researchos view`` and ``researchos draft check``: compile the paper view, check alignment."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.drafts import AlignmentIssue, blocking, check_file, compile_view

app = typer.Typer(no_args_is_help=True, help="Check drafts against the claims of an ARA.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Slug = Annotated[str, typer.Argument(help="The ARA's slug (see `researchos ara list`).")]


def _print_issues(issues: Sequence[AlignmentIssue]) -> None:
    if not issues:
        say("alignment: no issues")
        return
    table(
        f"Alignment issues ({len(blocking(issues))} blocking)",
        ["severity", "line", "number", "reason", "text"],
        ([i.severity, i.line, i.number or "", i.reason, i.text] for i in issues),
    )


def view(ctx: typer.Context, slug: Slug, json_out: JsonFlag = False) -> None:
    """Compile views/paper.md from the ARA's claims, evidence, figures and traces.

    Writes the file through a `view.compile` commit (none when the text is unchanged), then
    runs the alignment pass on it and prints the issues.
    """
    result = compile_view(get_app(ctx).aras, slug)
    if json_out:
        emit_json(result.to_dict())
        return
    what = f"commit {result.commit[:12]}" if result.commit else "unchanged"
    say(f"Wrote {result.path} ({what})")
    _print_issues(result.issues)


@app.command("check")
def check(
    ctx: typer.Context,
    slug: Slug,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Markdown file to check (default: the ARA's views/paper.md)."),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Check that a draft cites only existing claims and states only their numbers.

    Unknown claim ids are P0, unsupported numbers P1. Exits with status 1 when any P0 or P1
    issue is found.
    """
    issues = check_file(get_app(ctx).aras, slug, file)
    if json_out:
        emit_json({"issues": [i.to_dict() for i in issues], "blocking": len(blocking(issues))})
    else:
        _print_issues(issues)
    if blocking(issues):
        raise typer.Exit(code=1)
