"""``get_next_required_action``: what the run must record next."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="get_next_required_action")
    @tool_errors
    def get_next_required_action(
        run_id: Annotated[str, Field(description="From record_run_start.")],
    ) -> dict[str, Any]:
        """The next event to record (or complete_run when everything is there), and why."""
        return deps.app.agent_runs.next_action(run_id)
