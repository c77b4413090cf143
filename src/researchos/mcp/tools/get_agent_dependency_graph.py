"""``get_agent_dependency_graph``: a brief's pages and dependsOn edges, or one page's graph."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.errors import InputError
from researchos.knowledge import api
from researchos.mcp.briefs import agent_graph
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="get_agent_dependency_graph")
    @tool_errors
    def get_agent_dependency_graph(
        brief_id: Annotated[str | None, Field(description="A brief from get_work_brief.")] = None,
        page_id: Annotated[str | None, Field(description="Or one knowledge page.")] = None,
    ) -> dict[str, Any]:
        """The dependsOn graph the agent must respect: for a brief, its pages (with the section
        each appears in) and edges; for a page, everything it depends on and what depends on it."""
        if (brief_id is None) == (page_id is None):
            raise InputError("give exactly one of brief_id and page_id", field="brief_id")
        if brief_id is not None:
            record = deps.app.agent_runs.brief(brief_id)
            return agent_graph(record.id, record.document)
        return api.dependency_graph(deps.app.knowledge, page_id=page_id)
