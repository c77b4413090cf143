"""One module per MCP tool (basic-memory style); each has ``register(server, deps)``.

``PROFILES`` says which tools a server offers: ``full`` (all of them) or ``record`` (only the
run-recording tools: what a matrix cell without the MCP brief condition may use, so that the
event channel is the same in every condition while the knowledge stays out of reach).
"""

from __future__ import annotations

from importlib import import_module

from mcp.server.mcpserver import MCPServer

from researchos.mcp.deps import ToolDeps

KNOWLEDGE_TOOLS = (
    "get_work_brief",
    "start_pre_work_protocol",
    "get_agent_dependency_graph",
    "get_agent_work_context",
    "get_agent_presentation_contract",
    "resolve_dependencies",
    "search_knowledge",
    "search_issue_knowledge",
    "propose_policy_candidate_from_run",
    "page_provenance",
    "check_issue_version_alignment",
)
RECORD_TOOLS = (
    "get_event_recording_contract",
    "record_run_start",
    "record_run_event",
    "record_decision",
    "summarize_run",
    "validate_run_completion",
    "get_next_required_action",
    "complete_run",
)
TOOL_NAMES = KNOWLEDGE_TOOLS + RECORD_TOOLS
PROFILES = {"full": TOOL_NAMES, "record": RECORD_TOOLS}


def register_tools(server: MCPServer, deps: ToolDeps, *, profile: str = "full") -> list[str]:
    names = PROFILES[profile]
    for name in names:
        import_module(f"researchos.mcp.tools.{name}").register(server, deps)
    return list(names)
