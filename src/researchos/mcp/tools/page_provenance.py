"""``page_provenance``: where a knowledge page comes from."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.knowledge import api
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="page_provenance")
    @tool_errors
    def page_provenance(
        page_id: Annotated[str, Field(description="A knowledge page id.")],
    ) -> dict[str, Any]:
        """Generator, sources with their sha256 status, reviews, git history, staleness."""
        return api.page_provenance(deps.app.knowledge, page_id=page_id)
