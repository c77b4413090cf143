"""The ``researchos`` command: sub-apps are registered here; errors are mapped once, in ``run``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from researchos import __version__
from researchos.cli import (
    agents,
    approvals,
    ara,
    brief,
    demo,
    distill,
    docs,
    drafts,
    issues,
    kits,
    knowledge,
    landscape,
    matrix,
    mcp_server,
    package,
    papers,
    policy,
    projects,
    providers,
    runs,
    sandbox,
    seal,
    secrets,
    serve,
    workspace,
)
from researchos.cli.context import state
from researchos.cli.output import err_console
from researchos.errors import ResearchOSError

app = typer.Typer(
    name="researchos",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="ResearchOS: turn research work into Agent-Native Research Artifacts (ARAs).",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"researchos {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option("--home", envvar="RESEARCHOS_HOME", help="Workspace directory.")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """ResearchOS: claims, code, failure traces and evidence, versioned in git."""
    state(ctx).home = home
    ctx.call_on_close(state(ctx).close)


workspace.register(app)
app.command("demo")(demo.demo)
app.add_typer(ara.app, name="ara")
app.add_typer(docs.app, name="docs")
app.add_typer(projects.app, name="project")
app.command("run")(projects.run)
app.add_typer(projects.review_app, name="review")
app.add_typer(approvals.app, name="approvals")
app.command("serve")(serve.serve)
app.command("view")(drafts.view)
app.add_typer(drafts.app, name="draft")
app.add_typer(package.app, name="package")
app.add_typer(providers.app, name="providers")
app.add_typer(providers.smoke_app, name="smoke")
app.add_typer(policy.app, name="policy")
app.command("usage")(policy.usage)
app.add_typer(secrets.app, name="secrets")
app.add_typer(kits.app, name="kits")
app.add_typer(runs.app, name="runs")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(landscape.app, name="landscape")
app.add_typer(agents.app, name="agents")
app.add_typer(agents.traces_app, name="traces")
app.command("compile")(papers.compile_command)
app.command("seal")(seal.seal)
app.command("seal-checks")(seal.checks)
app.command("metrics")(seal.metrics)
app.command("distill")(distill.distill)
app.add_typer(knowledge.app, name="knowledge")
app.command("brief")(brief.brief)
app.add_typer(issues.app, name="issues")
app.add_typer(mcp_server.app, name="mcp")
app.add_typer(matrix.app, name="matrix")

EXIT_USER_ERROR = 1
EXIT_INTERNAL_ERROR = 70


def run() -> None:
    """Console-script entry point: one-line errors, non-zero exits, no tracebacks."""
    try:
        app()  # standalone mode: Typer handles usage errors, --help and exit codes
    except ResearchOSError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}")
        if exc.status >= 500:
            logging.getLogger("researchos").error("internal error", exc_info=True)
        sys.exit(EXIT_USER_ERROR if exc.status < 500 else EXIT_INTERNAL_ERROR)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    run()
