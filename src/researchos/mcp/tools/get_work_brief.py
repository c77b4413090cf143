"""``get_work_brief``: the agent_work_context.v1 brief for a task, stored under a brief id."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.briefs import issue_brief
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="get_work_brief")
    @tool_errors
    def get_work_brief(
        task: Annotated[str, Field(description="What the agent is about to do.")],
        repo: Annotated[
            str | None, Field(description="Repository path (manifests are read).")
        ] = None,
        libraries: Annotated[
            list[str], Field(description="Extra packages, e.g. httpx==0.28.1 or npm:axios@1.6.0.")
        ] = [],  # noqa: B006  (the SDK copies arguments; the default is never mutated)
        agent: Annotated[str, Field(description="Agent name, e.g. codex, claude-code.")] = "",
        model: Annotated[str, Field(description="Model id the agent runs on.")] = "",
        toolchain: Annotated[str, Field(description="Toolchain, e.g. python3.11/uv.")] = "",
        token_budget: Annotated[
            int | None, Field(description="Fit the brief into this many tokens.")
        ] = None,
        run_id: Annotated[
            str | None, Field(description="Link the brief to this agent run.")
        ] = None,
    ) -> dict[str, Any]:
        """Before editing code: known risks, dependency traps for the repo's package versions,
        approved interventions, must-load pages and the presentation contract. Returns
        {brief_id, brief}; record brief_loaded (detail.pages = the must_load ids) after reading."""
        if run_id is not None:
            deps.app.agent_runs.get(run_id)  # unknown run: an error before any work
        brief_id, document = issue_brief(
            deps,
            task=task,
            repo=repo,
            libraries=libraries,
            agent=agent,
            model=model,
            toolchain=toolchain,
            token_budget=token_budget,
        )
        if run_id is not None:
            deps.app.agent_runs.link_brief(run_id, brief_id)
        return {"brief_id": brief_id, "brief": document}
