"""``get_agent_presentation_contract``: what a brief says the agent must load, verify and record."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="get_agent_presentation_contract")
    @tool_errors
    def get_agent_presentation_contract(
        brief_id: Annotated[str, Field(description="A brief id from get_work_brief.")],
    ) -> dict[str, Any]:
        """The brief's presentation contract: must_load, must_verify, must_record by phase,
        required_for_completion and the finishing rules."""
        record = deps.app.agent_runs.brief(brief_id)
        return {"brief_id": record.id, **record.document["presentation_contract"]}
