"""``researchos knowledge ...``: add, show, search and check knowledge pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table


def _api() -> Any:
    """The knowledge API, imported on use: `--help` should not load numpy and embeddings."""
    from researchos.knowledge import api

    return api


app = typer.Typer(no_args_is_help=True, help="Knowledge pages: add, search, check, generate.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PageArg = Annotated[str, typer.Argument(help="Page id (see `researchos knowledge search`).")]


@app.command("add")
def add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Markdown file with YAML frontmatter.")],
    update: Annotated[bool, typer.Option("--update", help="Replace an existing page.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Validate a page file and copy it into knowledge/pages/ (one semantic commit)."""
    page = get_app(ctx).knowledge.add(file, update=update)
    if json_out:
        emit_json({"id": page.id, **page.frontmatter()})
        return
    say(f"Added {page.kind} page [bold]{escape(page.id)}[/bold]")


@app.command("show")
def show(ctx: typer.Context, page_id: PageArg, json_out: JsonFlag = False) -> None:
    """Show a page: frontmatter and body."""
    page = get_app(ctx).knowledge.get(page_id)
    if json_out:
        emit_json({**page.frontmatter(), "body": page.body})
        return
    from researchos.knowledge.page import render_page

    say(escape(render_page(page)))


@app.command("search")
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words to search for.")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most N hits.")] = 10,
    kind: Annotated[str | None, typer.Option("--kind", help="Only pages of this kind.")] = None,
    bm25: Annotated[bool, typer.Option("--bm25", help="Full text only, no vectors.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Hybrid search (full text + vectors, fused by reciprocal rank)."""
    result = _api().search_knowledge(
        get_app(ctx).knowledge,
        query=query,
        limit=limit,
        kind=kind,
        mode="bm25" if bm25 else "hybrid",
    )
    if json_out:
        emit_json(result)
        return
    if result["notice"]:
        say(f"[yellow]{escape(result['notice'])}[/yellow]")
    table(
        f"{result['mode']} search",
        ["page", "kind", "review", "score", "title"],
        (
            [escape(h["page_id"]), h["kind"], h["review"], f"{h['score']:.4f}", escape(h["title"])]
            for h in result["hits"]
        ),
    )


@app.command("graph")
def graph(
    ctx: typer.Context,
    page_id: Annotated[str | None, typer.Argument(help="Page id (default: whole graph).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """The dependsOn graph, whole or around one page; cycles and unknown targets are shown."""
    view = _api().dependency_graph(get_app(ctx).knowledge, page_id=page_id)
    if json_out:
        emit_json(view)
        return
    for edge in view["edges"]:
        say(f"{escape(edge['from'])} -> {escape(edge['to'])}")
    for edge in view["missing"]:
        say(f"[red]missing[/red] {escape(edge['from'])} -> {escape(edge['to'])}")
    if view["cycle"]:
        say(f"[red]cycle[/red] {escape(' -> '.join(view['cycle']))}")
    say(f"{len(view['nodes'])} page(s), {len(view['edges'])} link(s)")


@app.command("stale")
def stale(
    ctx: typer.Context,
    days: Annotated[
        int | None, typer.Option("--days", help="Age limit (default: the setting).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Pages whose pinned sources changed or vanished, or that are older than the age limit."""
    found = _api().stale_pages(get_app(ctx).knowledge, max_age_days=days)
    if json_out:
        emit_json(found)
        return
    table(
        "Stale pages",
        ["page", "reasons"],
        ([escape(f["page_id"]), escape("; ".join(f["reasons"]))] for f in found),
    )


@app.command("duplicates")
def duplicates(
    ctx: typer.Context,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Similarity 0..1 (default: the setting).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Near-duplicate pages (MinHash estimate of shingle Jaccard similarity)."""
    pairs = _api().duplicate_pages(get_app(ctx).knowledge, threshold=threshold)
    if json_out:
        emit_json(pairs)
        return
    table(
        "Near-duplicates",
        ["first", "second", "similarity"],
        ([escape(p["first"]), escape(p["second"]), p["similarity"]] for p in pairs),
    )


@app.command("provenance")
def provenance(ctx: typer.Context, page_id: PageArg, json_out: JsonFlag = False) -> None:
    """Where a page comes from: generator, sources (sha256 checked), reviews, history."""
    found = _api().page_provenance(get_app(ctx).knowledge, page_id=page_id)
    if json_out:
        emit_json(found)
        return
    origin = found["provenance"]
    say(
        f"[bold]{escape(found['page_id'])}[/bold] ({found['kind']}, {found['review']}) "
        f"made by {escape(str(origin.get('generator')))}"
    )
    table(
        "Sources",
        ["ref", "kind", "status"],
        ([escape(s["ref"]), s["kind"], s["status"]] for s in found["sources"]),
    )
    table(
        "History",
        ["date", "event", "summary"],
        ([h["date"][:19], h["event"], escape(h["summary"])] for h in found["history"]),
    )
    for reason in found["stale"]:
        say(f"[yellow]stale[/yellow] {escape(reason)}")


@app.command("review")
def review(
    ctx: typer.Context,
    page_id: PageArg,
    status: Annotated[
        str, typer.Option("--status", help="draft, reviewed, verified or evidence-only.")
    ],
    note: Annotated[str, typer.Option("--note", help="What was checked, and how.")] = "",
    json_out: JsonFlag = False,
) -> None:
    """Record a person's review of a page (source pages need a note on local verification)."""
    page = get_app(ctx).knowledge.review(page_id, status=status, note=note)
    if json_out:
        emit_json(page.frontmatter())
        return
    say(f"{escape(page.id)}: review -> {page.review}")


@app.command("sync")
def sync(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Generate or refresh claim and failure pages from every ARA (one semantic commit)."""
    report = get_app(ctx).knowledge.sync()
    if json_out:
        emit_json(report.to_dict())
        return
    say(f"{len(report.written)} page(s) written, {len(report.unchanged)} unchanged")
    for line in report.skipped:
        say(f"[yellow]skipped[/yellow] {escape(line)}")
