"""``researchos serve``: the REST API (and console) on 127.0.0.1."""

from __future__ import annotations

from typing import Annotated

import typer

from researchos.cli.context import get_app
from researchos.cli.output import say
from researchos.errors import ConfigError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Default: RESEARCHOS_SERVE_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: RESEARCHOS_SERVE_PORT.")] = None,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Bind a non-loopback address (token auth still applies "
            "to mutations; put TLS in front).",
        ),
    ] = False,
) -> None:
    """Serve the REST API (OpenAPI at /docs) on 127.0.0.1."""
    import uvicorn

    from researchos.web.api import create_api

    app = get_app(ctx)
    host = host or app.settings.serve_host
    port = port or app.settings.serve_port
    if host not in LOOPBACK and not allow_remote:
        raise ConfigError(
            f"refusing to bind {host}: the console is for this machine only",
            fix="use 127.0.0.1, or pass --allow-remote deliberately",
        )
    say(
        f"ResearchOS on http://{host}:{port}  (API docs: /docs; token in "
        f"{app.workspace.token_path})"
    )
    uvicorn.run(create_api(app), host=host, port=port, log_level="warning")
