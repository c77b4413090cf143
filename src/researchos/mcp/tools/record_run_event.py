"""``record_run_event``: append one protocol event to a run."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="record_run_event")
    @tool_errors
    def record_run_event(
        run_id: Annotated[str, Field(description="From record_run_start.")],
        event: Annotated[
            str,
            Field(
                description="brief_loaded, dependencies_resolved, package_version_checked, "
                "file_inspected, file_edited, failure_observed, intervention_applied, test_run, "
                "final_answer."
            ),
        ],
        detail: Annotated[
            dict[str, Any],
            Field(
                description="file (inspected/edited), package+version (version checked), "
                "passed+command (test_run), pages+brief_id (brief_loaded), page_id "
                "(intervention), text/note. See get_event_recording_contract."
            ),
        ] = {},  # noqa: B006
    ) -> dict[str, Any]:
        """Record what the agent just did. Out-of-order calls (after final_answer, on a
        completed run, on an unknown run) are errors; protocol violations are recorded and
        reported by validate_run_completion. Returns the event's position and the next action."""
        return deps.app.agent_runs.record_event(run_id, event, detail)
