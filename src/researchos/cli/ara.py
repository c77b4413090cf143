"""``researchos ara ...``: create, inspect, validate and extend ARAs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from researchos.artifacts.models import TRACE_TYPES
from researchos.artifacts.schema import ara_json_schema
from researchos.artifacts.validate import validate_ara
from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.errors import InputError, NotFound
from researchos.files import load_yaml

app = typer.Typer(no_args_is_help=True, help="Create, inspect, validate and extend ARAs.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Slug = Annotated[str, typer.Argument(help="The ARA's slug (see `researchos ara list`).")]
NODE_KINDS = ("question", "experiment", "pivot")


def _pairs(values: list[str] | None, option: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values or []:
        if "=" not in item:
            raise InputError(
                f"{item!r} is not KEY=VALUE", field=option, fix=f"write {option} dataset=iris"
            )
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = json.loads(raw)
        except ValueError:
            out[key.strip()] = raw
    return out


def _from_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of fields", file=str(path))
    return data


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, [], {})}


@app.command("new")
def new(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Title of the ARA.")],
    slug: Annotated[str | None, typer.Option(help="Directory name (default: from title).")] = None,
    author: Annotated[list[str] | None, typer.Option("--author", help="Repeatable.")] = None,
    mode: Annotated[str, typer.Option(help="production, smoke or mock.")] = "production",
    description: Annotated[str, typer.Option(help="One paragraph.")] = "",
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Repeatable.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Create an empty ARA under ara/<slug>/ (one semantic commit)."""
    manifest = get_app(ctx).aras.create(
        title=title,
        slug=slug,
        authors=author or [],
        mode=mode,
        description=description,
        tags=tag or [],
    )
    if json_out:
        emit_json(manifest.model_dump(mode="json"))
        return
    say(f"Created ARA [bold]{manifest.slug}[/bold] at ara/{manifest.slug}/")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """List the ARAs of the workspace."""
    manifests = get_app(ctx).aras.all()
    if json_out:
        emit_json([m.model_dump(mode="json") for m in manifests])
        return
    table(
        "ARAs",
        ["slug", "title", "status", "mode", "claims", "updated"],
        (
            [m.slug, m.title, m.status, m.mode, len(m.claims), m.updated.isoformat()]
            for m in manifests
        ),
    )


@app.command("show")
def show(
    ctx: typer.Context,
    slug: Slug,
    claim: Annotated[str | None, typer.Option("--claim", help="Show one claim.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Show an ARA (or one of its claims) with claims and traces."""
    service = get_app(ctx).aras
    if claim:
        found = service.claim(slug, claim)
        if json_out:
            emit_json(found.model_dump(mode="json"))
            return
        table(
            f"{slug} / {found.id}",
            ["field", "value"],
            (
                [k, json.dumps(v, default=str) if isinstance(v, list | dict) else v]
                for k, v in found.model_dump(mode="json").items()
            ),
        )
        return
    manifest = service.get(slug)
    claims = service.claims(slug)
    traces = service.traces(slug)
    if json_out:
        emit_json(
            {
                "ara": manifest.model_dump(mode="json"),
                "claims": [c.model_dump(mode="json") for c in claims],
                "traces": [t.model_dump(mode="json") for t in traces],
                "exploration": service.exploration(slug).model_dump(mode="json"),
            }
        )
        return
    say(f"[bold]{manifest.title}[/bold] ({manifest.slug}) — {manifest.status}, {manifest.mode}")
    table(
        "Claims",
        ["id", "status", "kind", "statement", "evidence"],
        ([c.id, c.status, c.kind, c.statement, len(c.evidence)] for c in claims),
    )
    table("Traces", ["id", "kind", "title"], ([t.id, t.kind, t.title] for t in traces))


@app.command("validate")
def validate(
    ctx: typer.Context,
    slug: Annotated[str | None, typer.Argument(help="ARA slug (default: all).")] = None,
    path: Annotated[
        Path | None, typer.Option("--path", help="Validate an ARA directory outside the workspace.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Validate ARA files against format v1 and check every cross-reference."""
    if path is not None:
        if not (path / "ara.yaml").is_file():
            raise NotFound(f"{path} holds no ara.yaml", fix="point --path at an ARA directory")
        roots = [path]
    else:
        app_ = get_app(ctx)
        roots = (
            [app_.aras.paths(slug).root]
            if slug
            else [app_.workspace.ara_path(m.slug) for m in app_.aras.all()]
        )
    reports = [validate_ara(root) for root in roots]
    if json_out:
        emit_json([r.to_dict() for r in reports])
    else:
        for report in reports:
            mark = "[green]ok[/green]" if report.ok else "[red]invalid[/red]"
            say(
                f"{mark} {report.slug}: {report.files_checked} files, {report.claims} claims, "
                f"{report.traces} traces"
            )
            for problem in report.problems:
                say(f"  - {problem}")
    if any(not r.ok for r in reports):
        raise typer.Exit(1)


@app.command("add-claim")
def add_claim(
    ctx: typer.Context,
    slug: Slug,
    statement: Annotated[str | None, typer.Option("--statement", "-s")] = None,
    claim_id: Annotated[str | None, typer.Option("--id", help="Default: next C####.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="effect, comparison, null_result, observation or method.")
    ] = None,
    status: Annotated[str | None, typer.Option(help="hypothesis, supported, ...")] = None,
    confidence: Annotated[float | None, typer.Option(help="0..1")] = None,
    condition: Annotated[
        list[str] | None, typer.Option("--condition", help="KEY=VALUE, repeatable.")
    ] = None,
    source: Annotated[list[str] | None, typer.Option("--source")] = None,
    provenance: Annotated[
        str | None, typer.Option(help="user, ai-suggested, ai-executed or user-revised.")
    ] = None,
    falsification: Annotated[str | None, typer.Option()] = None,
    depends_on: Annotated[list[str] | None, typer.Option("--depends-on")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag")] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from-file", help="YAML/JSON file with claim fields.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Add a claim to an ARA (one semantic commit)."""
    data = {
        **_from_file(from_file),
        **_drop_none(
            {
                "id": claim_id,
                "statement": statement,
                "kind": kind,
                "status": status,
                "confidence": confidence,
                "conditions": _pairs(condition, "--condition"),
                "sources": source,
                "provenance": provenance,
                "falsification": falsification,
                "dependencies": depends_on,
                "tags": tag,
            }
        ),
    }
    if "statement" not in data:
        raise InputError(
            "a claim needs a statement",
            field="--statement",
            fix='pass --statement "..." or --from-file',
        )
    claim = get_app(ctx).aras.add_claim(slug, data)
    if json_out:
        emit_json(claim.model_dump(mode="json"))
        return
    say(f"Added claim {claim.id} to {slug}")


@app.command("add-trace")
def add_trace(
    ctx: typer.Context,
    slug: Slug,
    kind: Annotated[
        str,
        typer.Option(
            help="failure, decision, checkpoint — or a bare tree node: question, experiment, pivot."
        ),
    ],
    title: Annotated[str | None, typer.Option()] = None,
    tried: Annotated[str | None, typer.Option(help="failure: what was tried.")] = None,
    why_failed: Annotated[str | None, typer.Option("--why-failed")] = None,
    failure_class: Annotated[
        str | None,
        typer.Option("--failure-class", help="infra, bug, negative_result or abandoned."),
    ] = None,
    hypothesis: Annotated[str | None, typer.Option()] = None,
    lesson: Annotated[str | None, typer.Option()] = None,
    decision: Annotated[str | None, typer.Option()] = None,
    rationale: Annotated[str | None, typer.Option()] = None,
    alternative: Annotated[list[str] | None, typer.Option("--alternative")] = None,
    description: Annotated[str | None, typer.Option()] = None,
    parent: Annotated[str | None, typer.Option(help="Parent tree node id.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag")] = None,
    from_file: Annotated[Path | None, typer.Option("--from-file")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Add a failure / decision / checkpoint trace (or a tree node) to an ARA."""
    service = get_app(ctx).aras
    fields = {
        **_from_file(from_file),
        **_drop_none(
            {
                "title": title,
                "tried": tried,
                "why_failed": why_failed,
                "failure_class": failure_class,
                "hypothesis": hypothesis,
                "lesson": lesson,
                "decision": decision,
                "rationale": rationale,
                "alternatives": alternative,
                "description": description,
                "tags": tag,
            }
        ),
    }
    if kind in NODE_KINDS:
        node_fields = {k: v for k, v in fields.items() if k in ("title", "hypothesis")}
        node = service.add_node(slug, {**node_fields, "kind": kind, "parent": parent})
        result: dict[str, Any] = node.model_dump(mode="json")
    elif kind in TRACE_TYPES:
        result = service.add_trace(slug, kind, fields, parent=parent).model_dump(mode="json")
    else:
        raise InputError(
            f"unknown kind {kind!r}",
            field="--kind",
            fix=f"use one of: {', '.join([*TRACE_TYPES, *NODE_KINDS])}",
        )
    if json_out:
        emit_json(result)
        return
    say(f"Added {kind} {result['id']} to {slug}")


@app.command("add-evidence")
def add_evidence(
    ctx: typer.Context,
    slug: Slug,
    file: Annotated[Path, typer.Argument(help="File to copy into the ARA.")],
    claim: Annotated[
        str | None, typer.Option("--claim", help="Attach the evidence to this claim.")
    ] = None,
    subdir: Annotated[str, typer.Option(help="raw or figures.")] = "raw",
    name: Annotated[str | None, typer.Option(help="File name in the ARA.")] = None,
    locator: Annotated[
        str | None, typer.Option(help="JSON pointer, line span (L3-L9) or page=N;bbox=...")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="run_output, figure, ...")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Copy a file under evidence/, record its sha256, optionally attach it to a claim."""
    ref = get_app(ctx).aras.add_evidence(
        slug, file, subdir=subdir, name=name, claim_id=claim, locator=locator, kind=kind
    )
    if json_out:
        emit_json(ref.model_dump(mode="json"))
        return
    say(f"Added {ref.path} (sha256 {ref.sha256[:12]}…)" + (f" to claim {claim}" if claim else ""))


@app.command("schema")
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of ARA format v1."""
    text = json.dumps(ara_json_schema(), indent=2) + "\n"
    if output:
        output.write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
