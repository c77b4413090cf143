"""``search_issue_knowledge``: search ingested issues (evidence-only source pages)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.knowledge import api
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="search_issue_knowledge")
    @tool_errors
    def search_issue_knowledge(
        query: Annotated[str, Field(description="Words to search for.", max_length=2000)],
        limit: Annotated[int, Field(ge=1, le=50)] = 10,
        local_versions: Annotated[
            dict[str, str],
            Field(description="package -> local version; adds a version verdict per hit."),
        ] = {},  # noqa: B006
    ) -> dict[str, Any]:
        """Issue pages only. They are evidence-only reports: verify locally before acting.
        With local_versions each hit says whether the issue's versions match yours."""
        kb = deps.app.knowledge
        result = api.search_knowledge(kb, query=query, limit=limit, kind="source")
        if local_versions:
            for hit in result["hits"]:
                hit["alignment"] = api.check_issue_version_alignment(
                    kb, page_id=hit["page_id"], local_versions=local_versions
                )["overall"]
        return result
