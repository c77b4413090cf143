"""``complete_run``: finish a run; a gated run is refused while blocking violations remain."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="complete_run")
    @tool_errors
    def complete_run(
        run_id: Annotated[str, Field(description="From record_run_start.")],
        outcome: Literal["succeeded", "failed", "abandoned"] = "succeeded",
        summary: Annotated[str, Field(description="What was done.", max_length=4000)] = "",
    ) -> dict[str, Any]:
        """Close the run. Gated runs need brief_loaded, dependencies_resolved, a test_run after
        the last edit and final_answer first; the error lists what is missing."""
        return deps.app.agent_runs.complete(run_id, outcome=outcome, summary=summary)
