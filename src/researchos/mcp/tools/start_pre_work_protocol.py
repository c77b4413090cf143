"""``start_pre_work_protocol``: start a gated run and hand over its brief and checklist at once."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.briefs import issue_brief
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="start_pre_work_protocol")
    @tool_errors
    def start_pre_work_protocol(
        task: Annotated[str, Field(description="What the agent is about to do.")],
        repo: Annotated[str | None, Field(description="Repository path.")] = None,
        libraries: Annotated[list[str], Field(description="Extra packages.")] = [],  # noqa: B006
        agent: Annotated[str, Field(description="Agent name.")] = "",
        model: Annotated[str, Field(description="Model id.")] = "",
        toolchain: Annotated[str, Field(description="Toolchain.")] = "",
        token_budget: Annotated[int | None, Field(description="Brief token budget.")] = None,
        gated: Annotated[
            bool, Field(description="Refuse complete_run until the contract is met.")
        ] = True,
    ) -> dict[str, Any]:
        """Start a run linked to a fresh brief. Returns run_id, brief_id, the brief, what to
        load and verify, and the next required action. Then: read the must_load pages, record
        brief_loaded, resolve dependencies, check versions, inspect, edit, test, answer."""
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
        contract = document["presentation_contract"]
        return {
            "run_id": run.id,
            "brief_id": brief_id,
            "brief": document,
            "must_load": contract["must_load"],
            "must_verify": contract["must_verify"],
            "rules": contract["rules"],
            **deps.app.agent_runs.next_action(run.id),
        }
