"""``resolve_dependencies``: the repo's packages and every knowledge page about them."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.knowledge import api
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="resolve_dependencies")
    @tool_errors
    def resolve_dependencies(
        repo: Annotated[str | None, Field(description="Repository path.")] = None,
        libraries: Annotated[list[str], Field(description="Extra packages.")] = [],  # noqa: B006
    ) -> dict[str, Any]:
        """Local package versions (pyproject, requirements, lockfiles, package.json) and the
        pages about each package, with whether the page's version range applies."""
        return api.resolve_dependencies(
            deps.app.knowledge, repo=deps.repo(repo), libraries=libraries
        )
