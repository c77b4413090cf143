"""Build the MCP server around an App and run it over stdio or streamable HTTP."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mcp.server.mcpserver import MCPServer

from researchos import __version__
from researchos.mcp.deps import ToolDeps
from researchos.mcp.resources import register_prompts, register_resources
from researchos.mcp.tools import PROFILES, register_tools

if TYPE_CHECKING:
    from researchos.app import App

Transport = Literal["stdio", "streamable-http"]
INSTRUCTIONS = (
    "ResearchOS work briefs. Before editing code call start_pre_work_protocol (or "
    "get_work_brief), read the must_load pages, record the protocol events as you work "
    "(get_event_recording_contract) and call complete_run at the end. The prompt "
    "pre_work_research states the whole contract."
)


def build_server(
    app: App,
    *,
    profile: str = "full",
    tag: str | None = None,
    repo_root: Path | None = None,
) -> MCPServer:
    """An MCPServer with the tools of ``profile`` (see ``researchos.mcp.tools``).

    ``tag`` and ``repo_root`` serve one matrix cell: every run started here carries the tag,
    and repository paths are confined to ``repo_root`` (see ``ToolDeps``).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown MCP tool profile {profile!r}")
    deps = ToolDeps(app=app, tag=tag, repo_root=repo_root)
    # the SDK logs every session at INFO; a library may have set the root logger to INFO
    logging.getLogger("mcp").setLevel(logging.WARNING)
    # WARNING: the SDK configures root logging at this level; INFO would log every request
    server: MCPServer = MCPServer(
        "researchos", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    register_tools(server, deps, profile=profile)
    if profile == "full":
        register_resources(server, deps)
        register_prompts(server)
    return server


def serve(app: App, *, transport: Transport, host: str, port: int) -> None:
    """Run until interrupted (stdio: until the client closes stdin)."""
    server = build_server(app)
    if transport == "stdio":
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=port)
