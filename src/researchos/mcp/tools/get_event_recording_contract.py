"""``get_event_recording_contract``: the event names, their phases and the detail each takes."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer

from researchos.agentruns.details import recording_contract
from researchos.agentruns.protocol import COMPLIANCE_CHECKS
from researchos.knowledge.contract import FINISH_RULES, REQUIRED_FOR_COMPLETION
from researchos.mcp.deps import ToolDeps, tool_errors


def register(server: MCPServer, deps: ToolDeps) -> None:
    @server.tool(name="get_event_recording_contract")
    @tool_errors
    def get_event_recording_contract() -> dict[str, Any]:
        """How to record a run: events by phase (before_edit, during, after), required detail
        fields, what a gated run needs before complete_run, and the compliance checks."""
        return {
            **recording_contract(),
            "required_for_completion": list(REQUIRED_FOR_COMPLETION),
            "rules": list(FINISH_RULES),
            "compliance_checks": list(COMPLIANCE_CHECKS),
        }
