"""``researchos matrix ...``: run, show and compare agent-run matrices."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, err_console, say, table

app = typer.Typer(
    no_args_is_help=True, help="Agent-run matrices: run, show, compare (docs/matrix.md)."
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
MatrixArg = Annotated[str, typer.Argument(help="Matrix id (or a unique prefix).")]


def _mean_ci(summary: dict[str, Any]) -> str:
    if summary["ci_low"] is None:
        return f"{summary['mean']:.2f}"
    return f"{summary['mean']:.2f} [{summary['ci_low']:.2f}, {summary['ci_high']:.2f}]"


def _groups_table(shown: dict[str, Any]) -> None:
    from researchos.matrix.metrics import METRICS

    rows = []
    for group in shown["summary"].get("groups", []):
        metrics = group["metrics"]
        rows.append(
            [
                escape(group["fixture"]),
                escape(group["condition"]),
                escape(group["agent"]),
                str(group["n"]),
                *[_mean_ci(metrics[m]) for m in METRICS],
            ]
        )
    table(
        f"matrix {shown['id']} ({shown['status']}, "
        f"{shown['cells_done']}/{shown['cells_total']} cells)",
        [
            "fixture",
            "condition",
            "agent",
            "n",
            "success",
            "compliance",
            "clean",
            "churn",
            "forbidden",
        ],
        rows,
    )


@app.command("run")
def run(
    ctx: typer.Context,
    experiment: Annotated[
        str, typer.Argument(help="Experiment YAML file, or a demo name (see `matrix fixtures`).")
    ],
    ara: Annotated[
        str | None, typer.Option("--ara", help="Write the claims into this ARA.")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Cells run at once.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Run every cell in a sandbox, then write the report (var/matrices/<id>/report.md)."""
    application = get_app(ctx)
    if json_out:
        emit_json(application.matrix.run(experiment, ara=ara, workers=workers))
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    ) as bar:
        task = bar.add_task("matrix cells", total=None)

        def progress(done: int, total: int, cell: str) -> None:
            bar.update(task, completed=done, total=total, description=cell[:50])

        shown = application.matrix.run(experiment, ara=ara, workers=workers, progress=progress)
    _groups_table(shown)
    if shown["report"]:
        say(f"Report: {escape(shown['report'])}")
    if shown.get("ara_slug"):
        say(f"Claims in ARA [bold]{escape(shown['ara_slug'])}[/bold]")


@app.command("show")
def show(ctx: typer.Context, matrix_id: MatrixArg, json_out: JsonFlag = False) -> None:
    """Aggregates with CIs, policy candidates and the report of one matrix."""
    shown = get_app(ctx).matrix.show(matrix_id)
    if json_out:
        emit_json(shown)
        return
    _groups_table(shown)
    for item in shown["summary"].get("policy", {}).get("candidates", []):
        say(
            f"candidate: {escape(item['intervention'])} moves {item['metric']} by "
            f"{item['diff']:+.2f} for {escape(item['agent'])} on {escape(item['fixture'])}"
        )
    if shown["report"]:
        say(f"Report: {escape(shown['report'])}")


@app.command("ls")
def list_matrices(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Matrices, newest first."""
    rows = get_app(ctx).matrix.list()
    if json_out:
        emit_json(rows)
        return
    table(
        "matrices",
        ["id", "name", "status", "cells", "created", "ara"],
        (
            [r["id"], escape(r["name"]), r["status"], r["cells"], r["created"][:19], r["ara"] or ""]
            for r in rows
        ),
    )


@app.command("compare")
def compare(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(help="Matrix A (before).")],
    second: Annotated[str, typer.Argument(help="Matrix B (after).")],
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="Exit 1 when B regresses.")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """B − A per fixture/condition/agent and metric, paired where cells match."""
    result = get_app(ctx).matrix.compare(first, second)
    if json_out:
        emit_json(result)
    else:
        table(
            f"{result['b']} − {result['a']}",
            ["fixture", "condition", "agent", "metric", "diff", "95% CI", "verdict"],
            (
                [
                    escape(r["fixture"]),
                    escape(r["condition"]),
                    escape(r["agent"]),
                    r["metric"],
                    f"{r['diff']:+.2f}",
                    f"[{r['ci_low']:.2f}, {r['ci_high']:.2f}]",
                    ("regression" if r["direction"] == "worse" else "improvement")
                    if r["clear"]
                    else r["direction"],
                ]
                for r in result["differences"]
            ),
        )
        say(
            f"{len(result['regressions'])} regression(s), "
            f"{len(result['improvements'])} improvement(s)"
        )
    if fail_on_regression and result["regressions"]:
        raise typer.Exit(1)


@app.command("fixtures")
def fixtures(json_out: JsonFlag = False) -> None:
    """The built-in fixture repos and demo experiments (offline, scripted agents)."""
    from researchos.matrix.catalog import builtin_experiments, builtin_fixtures

    data = {"fixtures": builtin_fixtures(), "experiments": builtin_experiments()}
    if json_out:
        emit_json(data)
        return
    say(f"fixtures: {', '.join(data['fixtures'])}\nexperiments: {', '.join(data['experiments'])}")
