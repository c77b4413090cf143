"""``researchos sandbox ...``: run one command ad hoc, and check which runners work here."""

from __future__ import annotations

from typing import Annotated

import typer

from researchos.cli.context import get_app, state
from researchos.cli.output import emit_json, say, table
from researchos.runs.models import RunRecord, RunSpec
from researchos.sandbox import Sandbox, SandboxConfig

app = typer.Typer(no_args_is_help=True, help="Run commands in the sandbox; check the runners.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def show_record(record: RunRecord) -> None:
    rows = [
        ("run", record.id),
        ("result", record.result_class),
        ("exit", record.exit_code),
        ("limit fired", record.limit_fired or "-"),
        ("runner", f"{record.runner} ({record.isolation})"),
        ("duration", f"{record.duration:.3f} s" if record.duration is not None else "-"),
        ("peak memory", f"{(record.peak_memory or 0) / 2**20:.1f} MiB"),
        ("code hash", record.code_hash[:16]),
        ("outputs", len(record.outputs)),
        ("logs", f"var/runs/{record.id}/logs/"),
    ]
    if record.error:
        rows.append(("error", record.error))
    rows += [("note", note) for note in record.notes]
    table(None, ["field", "value"], rows)


@app.command(
    "run",
    context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
)
def run(
    ctx: typer.Context,
    command: Annotated[list[str], typer.Argument(help="The command, after `--`.")],
    runner: Annotated[
        str | None, typer.Option("--runner", help="auto, bwrap, docker or process.")
    ] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Wall time, seconds.")] = None,
    memory: Annotated[str | None, typer.Option("--memory", help="e.g. 512m, 2g.")] = None,
    cpu_time: Annotated[float | None, typer.Option("--cpu-time", help="CPU seconds.")] = None,
    processes: Annotated[int | None, typer.Option("--processes", help="Tasks.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="RESEARCHOS_SEED.")] = None,
    ara: Annotated[
        str | None, typer.Option("--ara", help="Keep the log as this ARA's evidence.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Run COMMAND once in a fresh work dir and print its record (exit 1 unless it succeeded)."""
    limits = {
        "wall_time": timeout,
        "memory": memory,
        "cpu_time": cpu_time,
        "processes": processes,
    }
    spec = RunSpec(command=command, runner=runner, seed=seed, ara=ara)
    record = get_app(ctx).runs.run(spec, limits={k: v for k, v in limits.items() if v})
    if json_out:
        emit_json(record.model_dump(mode="json"))
    else:
        show_record(record)
    if record.result_class != "succeeded":
        raise typer.Exit(1)


@app.command("check")
def check(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Say which runners work on this machine, and why the others do not."""
    sandbox = Sandbox(SandboxConfig.from_settings(state(ctx).settings))
    found = sandbox.check()
    try:
        chosen = sandbox.resolve().kind
    except Exception as exc:  # report, do not fail: this command exists to explain
        chosen = f"none ({exc})"
    if json_out:
        emit_json({"runners": [a.to_dict() for a in found], "auto": chosen})
        return
    table(
        "Sandbox runners",
        ["kind", "works", "isolation", "why"],
        ([a.kind, "yes" if a.available else "no", a.isolation, a.reason] for a in found),
    )
    say(f"auto picks: [bold]{chosen}[/bold]")
