"""``validate_run_completion``: may the run complete, and what is violated."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="validate_run_completion")
    @tool_errors
    def validate_run_completion(
        run_id: Annotated[str, Field(description="From record_run_start.")],
    ) -> dict[str, Any]:
        """ok is false while a blocking violation remains (missing pre-work, dependency
        loading, verification after the last edit, final answer, must-load pages or version
        checks). Non-blocking findings still lower the compliance score."""
        return deps.app.agent_runs.validate(run_id)
