"""``researchos seal ARA`` and ``researchos metrics``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.seal import SealCheck, SealReport, all_checks

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _print(report: SealReport) -> None:
    rows = []
    for result in report.levels:
        state = "skipped" if result.skipped else ("passed" if result.passed else "FAILED")
        rows.append(
            [f"L{result.level} {result.name}", state, f"{result.duration_s:.2f} s", result.summary]
        )
    table(f"Seal {report.slug}", ["level", "result", "time", "summary"], rows)
    for result in report.levels:
        for finding in result.findings[:30]:
            say(f"  L{result.level} {finding}")
        if len(result.findings) > 30:
            say(f"  L{result.level} … {len(result.findings) - 30} more (use --json)")
    if report.promoted:
        say(f"verified: {', '.join(report.promoted)}")
    if report.disagreements:
        say(f"reviewer disagreements: {', '.join(v.claim_id for v in report.disagreements)}")
    say(f"status: {report.status} · packet: ara/{report.slug}/views/review-packet.md")


def seal(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The ARA's slug (see `researchos ara list`).")],
    level: Annotated[
        list[int] | None,
        typer.Option("--level", "-l", help="Run only this level (1, 2 or 3); repeatable."),
    ] = None,
    all_levels: Annotated[
        bool, typer.Option("--all-levels", help="Run every level even after one fails.")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Seal an ARA: L1 structure, L2 rigour (two model reviewers), L3 reproduction.

    Stops at the first failed level unless --all-levels. Writes the results to ara.yaml and
    views/review-packet.md (one `ara.seal` commit); the status becomes `sealed` only when all
    three levels pass. Exits with status 1 when a level fails.
    """
    app = get_app(ctx)
    if json_out:
        report = app.seal.seal(slug, levels=level, all_levels=all_levels)
        emit_json(report.to_dict())
    else:
        with Progress(transient=True) as progress:
            task = progress.add_task("seal", total=None)

            def show(number: int, check: SealCheck) -> None:
                progress.update(task, description=f"L{number} {check.name}")

            report = app.seal.seal(slug, levels=level, all_levels=all_levels, progress=show)
        _print(report)
    if not report.passed:
        raise typer.Exit(code=1)


def checks(json_out: JsonFlag = False) -> None:
    """List the registered seal checks by level."""
    rows = [[f"L{c.level}", c.name, c.description] for c in all_checks()]
    if json_out:
        emit_json([dict(zip(("level", "name", "description"), r, strict=True)) for r in rows])
        return
    table("Seal checks", ["level", "check", "what it checks"], rows)


def metrics(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Write system/metrics-report.md from files and store only (a `metrics.report` commit).

    Claim coverage, trace completeness, reproduction pass rate, claim promotion lag, L2
    disagreement rate, seal rejection rate, skill curve, traces past discount_after, sandbox
    crash rate and model-tier usage; definitions in docs/seal.md.
    """
    from researchos.metrics import collect, render_report, write_report

    app = get_app(ctx)
    report = collect(app)
    write_report(app, report, render_report(report))
    if json_out:
        emit_json(report.to_dict())
        return
    rows = [[name.replace("_", " "), ratio.shown()] for name, ratio in report.ratios.items()]
    lag = report.promotion_lag
    rows.append(["claim promotion lag (median h)", str(lag["median_hours"])])
    table("Metrics", ["metric", "value"], rows)
    what = f"commit {report.commit[:12]}" if report.commit else "unchanged"
    say(f"Wrote system/metrics-report.md ({what})")
