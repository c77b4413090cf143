"""``researchos compile PAPER``: a PDF or arXiv-style HTML paper becomes an ARA."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from researchos.app import App
from researchos.cli.context import get_app
from researchos.cli.output import console, emit_json, say, seal_line, table
from researchos.compile.compiler import AfterCompile, CompileResult, compile_paper


def after_compile(app: App) -> tuple[AfterCompile, ...]:
    """What runs on the whole ARA once a compile succeeds: Seal L1 (its summary lands in the
    result's ``hooks``)."""
    from researchos.seal.hooks import seal_structure

    def seal_l1(result: CompileResult) -> dict[str, Any]:
        return seal_structure(app, result.slug)

    return (seal_l1,)


def compile_command(
    ctx: typer.Context,
    paper: Annotated[Path, typer.Argument(help="The paper: a .pdf, .html or .htm file.")],
    ara: Annotated[
        str | None,
        typer.Option(
            "--ara",
            help="Slug of the ARA to fill (created when missing; default: from the title).",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compile a paper into an ARA: sections, located claims, figures, tables, references.

    Claims are proposed by the model (phase `compilation`; the mock in mock mode) and kept
    only when their quote and every number are found in the extracted text. A paper that
    links no reproduction code gets the `no_reproduction_code` flag and a review note.
    """
    app = get_app(ctx)
    if json_out:
        result = compile_paper(
            paper, aras=app.aras, router=app.router, slug=ara, after=after_compile(app)
        )
        emit_json(result.to_dict())
        return
    with console.status("compiling") as status:
        result = compile_paper(
            paper,
            aras=app.aras,
            router=app.router,
            slug=ara,
            progress=lambda stage: status.update(f"compiling: {stage}"),
            after=after_compile(app),
        )
    _print(result)


def _print(result: CompileResult) -> None:
    mock = " [yellow]MOCK[/yellow]" if result.mock else ""
    say(f"Compiled {escape(result.source)} into ARA [bold]{result.slug}[/bold]{mock}")
    table(
        None,
        ["pages", "sections", "passages", "figures", "tables", "references", "claims", "rejected"],
        [
            [
                result.pages or "-",
                result.sections,
                result.passages,
                result.figures,
                result.tables,
                result.references,
                len(result.claims),
                len(result.rejected),
            ]
        ],
    )
    if result.flags:
        say(f"flags: {', '.join(result.flags)}")
    if not result.code:
        say("[yellow]no reproduction code found[/yellow]: see views/review-notes.md")
    for warning in result.warnings[:5]:
        say(f"[dim]warning: {escape(warning)}[/dim]")
    if line := seal_line(result.hooks.get("seal_l1")):
        say(line)
    say(f"done in {result.seconds:.1f} s; see `researchos ara show {result.slug}`")
