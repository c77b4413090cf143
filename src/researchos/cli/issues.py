"""``researchos issues ...``: ingest GitHub issues as evidence-only source pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.errors import InputError


def _api() -> Any:
    """The knowledge API, imported on use: `--help` should not load numpy and embeddings."""
    from researchos.knowledge import api

    return api


app = typer.Typer(no_args_is_help=True, help="GitHub issues as evidence-only knowledge.")


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    repo: Annotated[str, typer.Option("--repo", help="OWNER/NAME of the GitHub repository.")],
    input_json: Annotated[
        Path | None, typer.Option("--input-json", help="Saved search-API JSON.")
    ] = None,
    live: Annotated[bool, typer.Option("--live", help="Fetch from the GitHub API.")] = False,
    query: Annotated[str, typer.Option("--query", help="Search words (with --live).")] = "",
    package: Annotated[
        str | None, typer.Option("--package", help="Package the issues are about (default: NAME).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Store a snapshot and one evidence-only source page per issue (one semantic commit)."""
    app_ = get_app(ctx)
    if live == (input_json is not None):
        raise InputError("pass exactly one of --input-json FILE and --live", field="--input-json")
    if input_json is not None:
        if not input_json.is_file():
            raise InputError("is not a readable file", file=str(input_json))
        raw, display = input_json.read_bytes(), str(input_json)
    else:
        settings = app_.settings
        token = settings.github_token.get_secret_value() if settings.github_token else None
        from researchos.knowledge.github import fetch_issues

        raw = fetch_issues(repo=repo, query=query, token=token, api_url=settings.github_api_url)
        display = f"GitHub search for {repo}"
    result = _api().ingest_issues(
        app_.knowledge, repo=repo, raw=raw, display=display, package=package
    )
    if json_out:
        emit_json(result)
        return
    say(
        f"{len(result['written'])} source page(s) written, {len(result['unchanged'])} unchanged; "
        f"snapshot {result['snapshot']}"
    )
    for line in result["skipped"]:
        say(f"[yellow]skipped[/yellow] {escape(line)}")


def _versions(values: list[str]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, version = item.partition("=")
        if not sep or not name.strip() or not version.strip():
            raise InputError(
                f"{item!r} is not PACKAGE=VERSION", field="--local-version", fix="httpx=0.28.1"
            )
        out[name.strip()] = version.strip()
    return out


@app.command("version-alignment")
def version_alignment(
    ctx: typer.Context,
    page_id: Annotated[str, typer.Argument(help="Source page id (gh.OWNER.NAME.N).")],
    local_version: Annotated[
        list[str], typer.Option("--local-version", help="PACKAGE=VERSION, repeatable.")
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Whether the versions an issue is about match the local project's versions."""
    result = _api().check_issue_version_alignment(
        get_app(ctx).knowledge, page_id=page_id, local_versions=_versions(local_version)
    )
    if json_out:
        emit_json(result)
        return
    say(f"{escape(result['page_id'])}: [bold]{result['overall']}[/bold] ({result['review']})")
    table(
        None,
        ["package", "local", "verdict", "why"],
        (
            [
                escape(p["package"]),
                escape(p["local_version"]),
                p["verdict"],
                escape(p["explanation"]),
            ]
            for p in result["packages"]
        ),
    )
