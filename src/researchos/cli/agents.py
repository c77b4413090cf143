"""``researchos agents ...`` (roles and skills) and ``researchos traces ...`` (dead ends)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from researchos.cli.context import get_app
from researchos.cli.landscape import parse_now
from researchos.cli.output import emit_json, say, table
from researchos.errors import InputError
from researchos.files import read_text

app = typer.Typer(no_args_is_help=True, help="Agent roles: persona, constraints, skills.")
skill_app = typer.Typer(no_args_is_help=True, help="Skills of a role and their outcomes.")
app.add_typer(skill_app, name="skill")
traces_app = typer.Typer(no_args_is_help=True, help="Failure traces: the ranked dead-end menu.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
RoleArg = Annotated[str, typer.Argument(help="Agent role, e.g. builder.")]


@app.command("init")
def init(
    ctx: typer.Context,
    role: RoleArg,
    persona: Annotated[str, typer.Option(help="One paragraph: who this agent is.")] = "",
) -> None:
    """Create agents/ROLE/ with persona, constraints, skills, rewards and reflections."""
    written = get_app(ctx).learning.init_role(role, persona=persona)
    say(f"agents/{role}/: wrote {', '.join(written)}")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """List agent roles with their skill counts."""
    learning = get_app(ctx).learning
    rows = []
    for role in learning.role_names():
        book = learning.skills(role)
        rows.append(
            {
                "role": role,
                "skills": len(book.skills),
                "adopted": sum(1 for s in book.skills if s.adopted),
            }
        )
    if json_out:
        emit_json(rows)
        return
    table(
        "Agent roles",
        ["role", "skills", "adopted"],
        ([r["role"], r["skills"], r["adopted"]] for r in rows),
    )


@app.command("show")
def show(ctx: typer.Context, role: RoleArg, json_out: JsonFlag = False) -> None:
    """Show a role's files (skills parsed)."""
    learning = get_app(ctx).learning
    files = learning.read(role)
    if json_out:
        emit_json(
            {
                "role": role,
                "files": files,
                "skills": learning.skills(role).model_dump(mode="json")["skills"],
            }
        )
        return
    for name, text in files.items():
        say(f"[bold]== {name}[/bold]")
        say(text.rstrip())


@app.command("write")
def write(
    ctx: typer.Context,
    role: RoleArg,
    name: Annotated[str, typer.Argument(help="persona.md, constraints.md or reflections.md.")],
    text: Annotated[str | None, typer.Option(help="New content.")] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="Read content from a file.")
    ] = None,
) -> None:
    """Replace a role file; persona.md and constraints.md are read-only to agents."""
    if (text is None) == (from_file is None):
        raise InputError("give exactly one of --text or --from", field="text")
    content = text if text is not None else read_text(from_file)  # type: ignore[arg-type]
    get_app(ctx).learning.write_file(role, name, content)
    say(f"wrote agents/{role}/{name}")


@skill_app.command("add")
def skill_add(
    ctx: typer.Context,
    role: RoleArg,
    text: Annotated[str, typer.Argument(help="The skill, one sentence.")],
    json_out: JsonFlag = False,
) -> None:
    """Add a skill (on trial until it has enough positive outcomes)."""
    skill, pruned = get_app(ctx).learning.add_skill(role, text)
    if json_out:
        emit_json(
            {
                "skill": skill.model_dump(mode="json"),
                "pruned": pruned.model_dump(mode="json") if pruned else None,
            }
        )
        return
    say(f"{role}: added {skill.id}")
    if pruned is not None:
        say(f"  budget full: pruned {pruned.id} (reward {pruned.reward:+g}): {pruned.text}")


@skill_app.command("outcome")
def skill_outcome(
    ctx: typer.Context,
    role: RoleArg,
    skill: Annotated[str, typer.Argument(help="Skill id, e.g. S0001.")],
    evidence: Annotated[
        list[str], typer.Option("--evidence", help="Evidence reference (repeatable).")
    ],
    positive: Annotated[
        bool, typer.Option("--positive/--negative", help="The outcome's sign.")
    ] = True,
    note: Annotated[str, typer.Option(help="What happened.")] = "",
    json_out: JsonFlag = False,
) -> None:
    """Record a positive or negative outcome of a skill, with evidence."""
    updated = get_app(ctx).learning.record_outcome(
        role, skill, sign="+" if positive else "-", evidence=evidence, note=note
    )
    if json_out:
        emit_json(updated.model_dump(mode="json"))
        return
    state = "adopted" if updated.adopted else "on trial"
    say(f"{role}/{skill}: reward {updated.reward:+g}, {state}")


@skill_app.command("list")
def skill_list(ctx: typer.Context, role: RoleArg, json_out: JsonFlag = False) -> None:
    """List a role's skills with reward and adoption."""
    book = get_app(ctx).learning.skills(role)
    if json_out:
        emit_json(book.model_dump(mode="json")["skills"])
        return
    table(
        f"Skills of {role}",
        ["id", "reward", "adopted", "outcomes", "text"],
        (
            [s.id, f"{s.reward:+g}", "yes" if s.adopted else "no", len(s.outcomes), s.text]
            for s in book.skills
        ),
    )


@traces_app.command("rank")
def rank(
    ctx: typer.Context,
    tag: Annotated[str, typer.Option("--tag", help="Topic tag, e.g. knn.")],
    now: Annotated[str | None, typer.Option(help="Rank as of this time (ISO 8601).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Items per list.")] = 20,
    json_out: JsonFlag = False,
) -> None:
    """What to try and what not to, for a newcomer to TAG (recency × discount)."""
    menu = get_app(ctx).learning.rank(tag, now=parse_now(now))
    menu = {key: items[:limit] for key, items in menu.items()}
    if json_out:
        emit_json({"tag": tag, **menu})
        return
    table(
        f"Do not repeat ({tag})",
        ["score", "kind", "ref", "title", "why", "lesson"],
        (
            [
                f"{i['score']:.3f}" + (" (discounted)" if i["discounted"] else ""),
                i["kind"],
                i["ref"],
                i["title"][:60],
                i["why"][:60],
                i["lesson"][:60],
            ]
            for i in menu["avoid"]
        ),
    )
    table(
        f"Build on ({tag})",
        ["score", "kind", "ref", "title", "note"],
        (
            [f"{i['score']:.3f}", i["kind"], i["ref"], i["title"][:60], i["why"]]
            for i in menu["try"]
        ),
    )


@traces_app.command("extend")
def extend(
    ctx: typer.Context,
    ara: Annotated[str, typer.Argument(help="ARA slug.")],
    trace: Annotated[str, typer.Argument(help="Failure trace id, e.g. F0001.")],
    until: Annotated[str, typer.Option(help="New discount_after date (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option(help="Why it stays relevant.")] = "",
) -> None:
    """Extend a failure trace's discount_after (a person's reviewed decision)."""
    try:
        day = date.fromisoformat(until)
    except ValueError:
        raise InputError(
            f"{until!r} is not a date", field="--until", fix="use YYYY-MM-DD"
        ) from None
    extended = get_app(ctx).learning.extend_trace(ara, trace, until=day, reason=reason)
    say(f"{ara}/{trace}: discount_after {extended.discount_after}")
