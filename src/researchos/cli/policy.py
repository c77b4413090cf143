"""``researchos policy show`` and ``researchos usage``: which models, and what they cost."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.errors import InputError
from researchos.providers.gates import apply_gates
from researchos.providers.router import ProviderRouter
from researchos.store.provider_calls import usage_report

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
app = typer.Typer(no_args_is_help=True, help="Inspect the model routing policy.")


def effective_table(router: ProviderRouter) -> dict[str, Any]:
    """The policy plus, per phase, the parameters a plain-text call sends after the gates."""
    policy = router.policy
    data = policy.to_dict()
    for name, route in policy.routes.items():
        caps = policy.catalog.capabilities(route.wire_model)
        gated = apply_gates(
            route, caps, structured=False, max_tokens=None, smoke=policy.mode == "smoke"
        )
        data["phases"][name]["parameters"] = gated.params
        data["phases"][name]["dropped"] = list(gated.dropped)
    return data


@app.command("show")
def show(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Print the effective routing table (after overrides, aliases, smoke and gates)."""
    data = effective_table(get_app(ctx).router)
    if json_out:
        emit_json(data)
        return
    say(f"Run mode: [bold]{data['run_mode']}[/bold] ({data['mode_reason']})")
    say("Tiers: " + ", ".join(f"{t}={v['model']}" for t, v in data["tiers"].items()))
    rows = []
    for phase, entry in data["phases"].items():
        params = entry["parameters"]
        wire = entry["wire_model"]
        model = entry["model"] if entry["model"] == wire else f"{entry['model']} -> {wire}"
        dropped = ", ".join(d.split(":", 1)[0] for d in entry["dropped"])
        rows.append(
            [
                phase,
                entry["tier"],
                entry["provider"],
                model,
                params.get("reasoning", ""),
                params.get("temperature", ""),
                params.get("max_tokens", ""),
                dropped,
                ", ".join(entry["flags"]),
            ]
        )
    table(
        None,
        [
            "phase",
            "tier",
            "provider",
            "model",
            "reasoning",
            "temp",
            "max tokens",
            "dropped by gates",
            "flags",
        ],
        rows,
    )
    say("Parameters are those a plain-text call sends, after the capability gates.")


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{value!r} is not a date", field="--since", fix="use YYYY-MM-DD"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def usage(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option(help="Only this project.")] = None,
    since: Annotated[str | None, typer.Option(help="Only calls on or after YYYY-MM-DD.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Tokens and estimated cost of model calls by project, phase and tier."""
    app = get_app(ctx)
    with app.database.session() as session:
        report = usage_report(session, project=project, since=_since(since))
    if json_out:
        emit_json(report)
        return
    totals = report["totals"]
    say(
        f"{totals['calls']} call(s), {report['failed_calls']} failed, "
        f"{totals['input_tokens']}+{totals['output_tokens']} tokens, "
        f"${totals['cost_usd']:.4f} estimated ({totals['mock_calls']} mock)"
    )
    for group in ("by_project", "by_phase", "by_tier"):
        table(
            group.replace("_", " "),
            ["key", "calls", "tokens in", "tokens out", "cost $"],
            (
                [
                    r["key"],
                    r["calls"],
                    r["input_tokens"],
                    r["output_tokens"],
                    f"{r['cost_usd']:.4f}",
                ]
                for r in report[group]
            ),
        )
