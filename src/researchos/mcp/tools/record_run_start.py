"""``record_run_start``: open an agent run (gated by default)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="record_run_start")
    @tool_errors
    def record_run_start(
        task: Annotated[str, Field(description="What the agent is about to do.")],
        agent: Annotated[str, Field(description="Agent name.")] = "",
        model: Annotated[str, Field(description="Model id.")] = "",
        toolchain: Annotated[str, Field(description="Toolchain.")] = "",
        repo: Annotated[str | None, Field(description="Repository path.")] = None,
        brief_id: Annotated[str | None, Field(description="The brief the run follows.")] = None,
        gated: Annotated[
            bool, Field(description="Refuse complete_run until the contract is met.")
        ] = True,
    ) -> dict[str, Any]:
        """Start recording a run; returns run_id and the next required action."""
        if repo is not None:
            deps.repo(repo)  # a path the server cannot read is an error now, not at the end
        run = deps.app.agent_runs.start(
            task=task,
            agent=agent,
            model=model,
            toolchain=toolchain,
            repo=repo,
            brief_id=brief_id,
            gated=gated,
            tag=deps.tag,
        )
        return {
            "run_id": run.id,
            "gated": run.gated,
            "brief_id": run.brief_id,
            **deps.app.agent_runs.next_action(run.id),
        }
