"""``researchos mcp serve``: the MCP server over stdio or streamable HTTP (loopback only)."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from researchos.cli.context import get_app
from researchos.cli.output import err_console
from researchos.errors import ConfigError

app = typer.Typer(no_args_is_help=True, help="The MCP server for coding agents (docs/mcp.md).")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEFAULT_PORT = 8766


@app.command("serve")
def serve(
    ctx: typer.Context,
    transport: Annotated[
        str, typer.Option("--transport", help="stdio or streamable-http.")
    ] = "stdio",
    host: Annotated[str, typer.Option("--host", help="Loopback address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port for streamable-http.")] = DEFAULT_PORT,
) -> None:
    """Serve work briefs, knowledge search and run recording to MCP clients. stdio keeps
    stdout for the protocol (messages go to stderr); streamable HTTP listens on /mcp."""
    from researchos.mcp.server import serve as run_server

    if transport not in ("stdio", "streamable-http"):
        raise ConfigError(
            f"unknown transport {transport!r}", fix="use --transport stdio or streamable-http"
        )
    if host not in LOOPBACK:
        raise ConfigError(
            f"refusing to bind {host}: the MCP server has no authentication",
            fix="use 127.0.0.1 (agents run on this machine)",
        )
    application = get_app(ctx)
    chosen: Literal["stdio", "streamable-http"] = (
        "stdio" if transport == "stdio" else "streamable-http"
    )
    if chosen == "streamable-http":
        err_console.print(f"ResearchOS MCP on http://{host}:{port}/mcp (Ctrl-C stops)")
    run_server(application, transport=chosen, host=host, port=port)
