"""``researchos secrets set | list | delete``: API keys, encrypted at rest."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.credentials.store import check_name
from researchos.errors import InputError

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Name = Annotated[str, typer.Argument(help="Secret name, e.g. OPENAI_API_KEY.")]
app = typer.Typer(no_args_is_help=True, help="Store API keys encrypted (var/secrets/).")


@app.command("set")
def set_secret(
    ctx: typer.Context,
    name: Name,
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the value from stdin.")] = False,
) -> None:
    """Store a secret; prompts without echo (or reads --stdin). Replaces an existing one."""
    check_name(name)
    if stdin:
        value = sys.stdin.read().strip()
    elif sys.stdin.isatty():
        value = getpass.getpass(f"Value for {name} (not echoed): ")
    else:
        raise InputError(
            "no terminal to prompt on",
            field="--stdin",
            fix=f"pipe it: researchos secrets set {name} --stdin",
        )
    info = get_app(ctx).secrets.set(name, value)
    say(f"Stored {info.name} ({info.preview}) in {info.file}")


@app.command("list")
def list_secrets(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Stored secrets with a masked preview (never the value)."""
    infos = get_app(ctx).secrets.list()
    if json_out:
        emit_json([info.to_dict() for info in infos])
        return
    table(
        "Secrets",
        ["name", "preview", "updated", "file"],
        ([i.name, i.preview, i.updated.isoformat()[:19], i.file] for i in infos),
    )


@app.command("delete")
def delete(ctx: typer.Context, name: Name) -> None:
    """Delete a secret (its ciphertext and its metadata)."""
    get_app(ctx).secrets.delete(name)
    say(f"Deleted {name}")
