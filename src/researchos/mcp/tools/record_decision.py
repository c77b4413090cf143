"""``record_decision``: a judgement call with its rationale and the alternatives."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="record_decision")
    @tool_errors
    def record_decision(
        run_id: Annotated[str, Field(description="From record_run_start.")],
        decision: Annotated[str, Field(description="What was decided.")],
        rationale: Annotated[str, Field(description="Why.")] = "",
        alternatives: Annotated[list[str], Field(description="What else was considered.")] = [],  # noqa: B006
    ) -> dict[str, Any]:
        """Record a decision in the run (kept with the events; not part of the gate)."""
        return deps.app.agent_runs.record_decision(
            run_id, decision=decision, rationale=rationale, alternatives=alternatives
        )
