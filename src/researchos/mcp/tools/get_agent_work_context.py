"""``get_agent_work_context``: a stored brief (agent_work_context.v1) by id."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="get_agent_work_context")
    @tool_errors
    def get_agent_work_context(
        brief_id: Annotated[str, Field(description="A brief id from get_work_brief.")],
    ) -> dict[str, Any]:
        """The full agent_work_context.v1 document of a brief handed out earlier."""
        record = deps.app.agent_runs.brief(brief_id)
        return {
            "brief_id": record.id,
            "created": record.created.isoformat(),
            "brief": record.document,
        }
