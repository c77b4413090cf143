"""``researchos landscape ...``: agents propose; people review, merge, reject and retract.

The acting person (or agent) is RESEARCHOS_ACTOR: ``user:<name>`` may decide, ``agent:<role>``
may only propose.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.errors import InputError
from researchos.landscape.index import number_text
from researchos.landscape.models import LandscapeEntry
from researchos.landscape.schema import landscape_json_schema

app = typer.Typer(
    no_args_is_help=True,
    help="The research landscape: known results, hypotheses, retracted entries, proposals.",
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ProposalArg = Annotated[
    str, typer.Argument(help="Proposal id (see `researchos landscape review`).")
]
EntryArg = Annotated[str, typer.Argument(help="Entry id (see `researchos landscape show`).")]


class Kind(StrEnum):
    known_result = "known_result"
    hypothesis = "hypothesis"


class Reason(StrEnum):
    refuted = "refuted"
    withdrawn = "withdrawn"
    manual = "manual"


def _dump(entry: LandscapeEntry) -> dict[str, Any]:
    return entry.model_dump(mode="json", exclude_none=True)


def parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{value!r} is not an ISO date or time", field="--now", fix="e.g. 2026-05-01T00:00:00Z"
        ) from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


@app.command("propose")
def propose(
    ctx: typer.Context,
    ara: Annotated[str, typer.Option("--ara", help="Slug of the ARA holding the claim.")],
    claim: Annotated[str, typer.Option("--claim", help="Claim id, e.g. C0001.")],
    kind: Annotated[
        Kind | None,
        typer.Option("--as", help="Default: known_result for supported claims with evidence."),
    ] = None,
    rationale: Annotated[str, typer.Option(help="Why this belongs in the landscape.")] = "",
    json_out: JsonFlag = False,
) -> None:
    """Propose a claim for the landscape (writes proposals/<id>.yaml; anyone may propose)."""
    proposal = get_app(ctx).landscape.propose(
        ara=ara, claim=claim, kind=kind.value if kind else None, rationale=rationale
    )
    if json_out:
        emit_json(proposal.model_dump(mode="json", exclude_none=True))
        return
    say(f"{proposal.id}: {ara}/{claim} proposed as {proposal.kind}")
    for check in proposal.contradictions:
        state = "confirmed" if check.confirmed else "dismissed by the model"
        say(f"  contradiction with {check.entry} ({state}): {'; '.join(check.reasons)}")
    if proposal.contested:
        say("  contested: it merges as a contested hypothesis; dual-model review recorded")
    say(f"A person decides: `researchos landscape merge {proposal.id}` or `... reject`")


@app.command("review")
def review(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Pending proposals with their checks and what a merge would refuse now."""
    pending = get_app(ctx).landscape.review()
    if json_out:
        emit_json(pending)
        return
    rows = []
    for item in pending:
        checks = [f"contradicts {c['entry']}" for c in item["contradictions"] if c["confirmed"]]
        checks += [p["message"] for p in item["problems"]]
        source = item["source"]
        rows.append(
            [
                item["id"],
                item["kind"] + (" (contested)" if item["contested"] else ""),
                f"{source['ara']}/{source['claim']}",
                item["proposed_by"],
                "yes" if item["mergeable"] else "no",
                "; ".join(checks) or "ok",
            ]
        )
    table("Pending proposals", ["id", "as", "claim", "by", "mergeable", "checks"], rows)


@app.command("merge")
def merge(
    ctx: typer.Context,
    proposal: ProposalArg,
    reason: Annotated[str, typer.Option(help="Optional note kept with the decision.")] = "",
    json_out: JsonFlag = False,
) -> None:
    """Merge a proposal into the landscape (a person only)."""
    entry = get_app(ctx).landscape.merge(proposal, reason=reason)
    if json_out:
        emit_json(_dump(entry))
        return
    say(f"merged {proposal} as {entry.status} {entry.kind} {entry.id}")


@app.command("reject")
def reject(
    ctx: typer.Context,
    proposal: ProposalArg,
    reason: Annotated[str, typer.Option(help="Why (required).")],
    json_out: JsonFlag = False,
) -> None:
    """Reject a proposal (a person only); it is kept under proposals/decided/."""
    decided = get_app(ctx).landscape.reject(proposal, reason=reason)
    if json_out:
        emit_json(decided.model_dump(mode="json", exclude_none=True))
        return
    say(f"rejected {proposal}: {reason}")


@app.command("retract")
def retract(
    ctx: typer.Context,
    entry: EntryArg,
    reason: Annotated[Reason, typer.Option(help="refuted, withdrawn or manual.")],
    note: Annotated[str, typer.Option(help="What happened.")] = "",
    json_out: JsonFlag = False,
) -> None:
    """Move an entry to retracted/ (a person only); it can never be re-promoted."""
    retracted = get_app(ctx).landscape.retract(entry, reason=reason.value, note=note)
    if json_out:
        emit_json(_dump(retracted))
        return
    say(f"retracted {entry} ({reason.value})")


@app.command("expire")
def expire(
    ctx: typer.Context,
    now: Annotated[str | None, typer.Option(help="Pretend it is this time (ISO 8601).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Retract hypotheses with no new evidence for 90 days (reason evidence_timeout)."""
    expired = get_app(ctx).landscape.expire(now=parse_now(now))
    if json_out:
        emit_json([_dump(e) for e in expired])
        return
    say(f"expired {len(expired)} hypothesis(es)" + (": " if expired else ""))
    for entry in expired:
        say(f"  {entry.id}: {entry.statement[:80]}")


@app.command("show")
def show(
    ctx: typer.Context,
    entry: Annotated[str | None, typer.Argument(help="One entry id (default: all).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Show the landscape, or one entry."""
    landscape = get_app(ctx).landscape
    if entry is not None:
        found = landscape.entry(entry)
        if json_out:
            emit_json(_dump(found))
        else:
            say(json.dumps(_dump(found), indent=2, default=str))
        return
    entries = landscape.entries()
    if json_out:
        emit_json({"entries": [_dump(e) for e in entries], "pending": len(landscape.proposals())})
        return
    table(
        "Research landscape",
        ["id", "kind", "status", "statement", "headline", "source"],
        (
            [
                e.id,
                e.kind,
                e.status,
                e.statement[:70],
                number_text(e.headline),
                f"{e.source.ara}/{e.source.claim}",
            ]
            for e in entries
        ),
    )


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of landscape entries and proposals."""
    emit_json(landscape_json_schema())
