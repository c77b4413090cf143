"""``propose_policy_candidate_from_run``: a draft policy page citing the run."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.agentruns.policy import propose_policy_candidate
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="propose_policy_candidate_from_run")
    @tool_errors
    def propose_policy_candidate_from_run(
        run_id: Annotated[str, Field(description="The run the lesson comes from.")],
        title: Annotated[str, Field(description="Short title of the rule.")],
        rule: Annotated[str, Field(description="The rule future agents should follow.")],
        rationale: Annotated[str, Field(description="What in the run supports it.")] = "",
    ) -> dict[str, Any]:
        """Write a draft policy page (review: draft) citing the run. Briefs include it only
        after a person reviews it; agents can propose, never approve."""
        return propose_policy_candidate(
            deps.app.agent_runs,
            deps.app.knowledge,
            run_id=run_id,
            title=title,
            rule=rule,
            rationale=rationale,
        )
