"""``check_issue_version_alignment``: do an issue's versions match the local ones."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.knowledge import api
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="check_issue_version_alignment")
    @tool_errors
    def check_issue_version_alignment(
        page_id: Annotated[str, Field(description="An issue (source) page id.")],
        local_versions: Annotated[
            dict[str, str], Field(description="package -> local version, e.g. {httpx: 0.28.1}.")
        ],
    ) -> dict[str, Any]:
        """match / mismatch / unknown per package and overall."""
        return api.check_issue_version_alignment(
            deps.app.knowledge, page_id=page_id, local_versions=local_versions
        )
