"""``summarize_run``: a run with every event, counts and its validation."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="summarize_run")
    @tool_errors
    def summarize_run(
        run_id: Annotated[str, Field(description="From record_run_start.")],
    ) -> dict[str, Any]:
        """The run, its events in order, counts per event and the current validation."""
        return deps.app.agent_runs.summary(run_id)
