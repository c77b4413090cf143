"""``researchos kits ...``: the installed experiment kits, and which of them fit a brief."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Annotated

import typer

from researchos.cli.output import emit_json, say, table
from researchos.files import read_text
from researchos.kits.registry import all_kits, default_registry, get_kit, match_kits

app = typer.Typer(no_args_is_help=True, help="Experiment kits: list, match a brief, propose ideas.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Brief = Annotated[str, typer.Argument(help="The research brief, or @FILE to read it from a file.")]


def _brief(value: str) -> str:
    return read_text(Path(value[1:])) if value.startswith("@") else value


@app.command("list")
def list_kits(as_json: JsonFlag = False) -> None:
    """Every installed kit (built-in and plugins) and any plugin that failed to load."""
    kits = [kit.describe() for kit in all_kits()]
    errors = default_registry().load_errors
    if as_json:
        emit_json({"kits": kits, "load_errors": errors})
        return
    table(
        "Experiment kits",
        ["name", "title", "provided by"],
        [(kit["name"], kit["title"], kit["class"]) for kit in kits],
    )
    for name, error in sorted(errors.items()):
        say(f"[red]plugin {name} failed to load:[/red] {error}")


@app.command("match")
def match(brief: Brief, as_json: JsonFlag = False) -> None:
    """Kits whose keywords occur in the brief, best first (the default kit if none do)."""
    ranked = [{"name": kit.name, "score": score} for kit, score in match_kits(_brief(brief))]
    if as_json:
        emit_json(ranked)
        return
    table("Matching kits", ["name", "score"], [(row["name"], row["score"]) for row in ranked])


@app.command("ideas")
def ideas(
    brief: Brief,
    kit: Annotated[str | None, typer.Option(help="Kit name (default: the best match).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the idea generator.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """The candidate ideas a kit proposes for a brief, flags included."""
    text = _brief(brief)
    chosen = get_kit(kit) if kit else match_kits(text)[0][0]
    seeds = chosen.ideas(text, random.Random(seed))
    if as_json:
        emit_json([idea.to_dict() for idea in seeds])
        return
    table(
        f"Ideas from {chosen.name}",
        ["id", "title", "primary metric", "flags"],
        [
            (
                idea.id,
                idea.title,
                f"{idea.primary_metric} ({idea.direction} is better)",
                ", ".join(idea.flag_reasons()),
            )
            for idea in seeds
        ],
    )
