"""``search_knowledge``: hybrid search over knowledge pages."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.knowledge import api
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="search_knowledge")
    @tool_errors
    def search_knowledge(
        query: Annotated[str, Field(description="Words to search for.", max_length=2000)],
        limit: Annotated[int, Field(ge=1, le=100)] = 10,
        kind: Annotated[
            str | None,
            Field(description="claim, failure, intervention, dependency, source or policy."),
        ] = None,
    ) -> dict[str, Any]:
        """Full text + vectors fused by reciprocal rank; each hit has kind, title, review
        status and a summary. Read a page in full from knowledge://pages/{page_id}."""
        return api.search_knowledge(deps.app.knowledge, query=query, limit=limit, kind=kind)
