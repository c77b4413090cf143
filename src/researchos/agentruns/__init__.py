"""Agent runs: the event protocol around a work brief, durable in the store.

A coding agent starts a run, records what it does (brief loaded, dependencies resolved, files
inspected and edited, tests run, final answer) and asks whether it may finish. The MCP server
exposes this as tools; agent-run matrices read it back to measure protocol compliance.
"""

from researchos.agentruns.service import AgentRunService

__all__ = ["AgentRunService"]
