"""``researchos serve``: the REST API and the web console on 127.0.0.1."""

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
    """Serve the web console and the REST API (OpenAPI at /docs) on 127.0.0.1; prints a
    one-time login link for the console."""
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
    api = create_api(app, trusted_hosts=None if allow_remote else LOOPBACK)
    base = f"http://{_url_host(host)}:{port}"
    say(f"ResearchOS on {base}  (API docs: {base}/docs)")
    say(
        f"Console: {base}/login?token={api.state.login_links.issue()}\n"
        "  (a one-time login link, valid for 15 minutes; or paste the workspace token "
        "from var/token on the login page)"
    )
    uvicorn.run(api, host=host, port=port, log_level="warning")


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):  # listening everywhere: this machine is one way in
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
