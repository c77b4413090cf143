"""MCP resources (pages and their dependencies, briefs and their agent graph, the failure
taxonomy) and the ``pre_work_research`` prompt."""

from __future__ import annotations

from collections import Counter
from typing import Any, get_args

from mcp.server.mcpserver import MCPServer

from researchos.artifacts.models import FailureClass
from researchos.knowledge import api
from researchos.knowledge.contract import EVENT_PHASES, FINISH_RULES, REQUIRED_FOR_COMPLETION
from researchos.knowledge.page import render_page
from researchos.mcp.briefs import agent_graph
from researchos.mcp.deps import ToolDeps, as_json, resource_errors

FAILURE_CLASSES = {
    "infra": "the environment failed (out of memory, a crashed node, a missing tool)",
    "bug": "the code was wrong; fixed or not, the attempt taught something",
    "negative_result": "the idea was tested properly and did not hold",
    "abandoned": "stopped before a verdict (budget, priorities)",
}


def failure_taxonomy(deps: ToolDeps) -> dict[str, Any]:
    """ARA failure classes plus what the knowledge base holds about failures, by tag."""
    failures = [p for p in deps.app.knowledge.pages() if p.kind == "failure"]
    tags = Counter(tag for page in failures for tag in page.tags)
    return {
        "classes": [
            {"class": name, "meaning": FAILURE_CLASSES[name]} for name in get_args(FailureClass)
        ],
        "failure_pages": len(failures),
        "tags": dict(sorted(tags.items())),
        "pages": [{"id": p.id, "title": p.title, "tags": p.tags} for p in failures[:200]],
    }


def register_resources(server: MCPServer, deps: ToolDeps) -> None:
    @server.resource(
        "knowledge://pages/{page_id}", mime_type="text/markdown", name="knowledge page"
    )
    @resource_errors
    def page(page_id: str) -> str:
        """A knowledge page in full: YAML frontmatter and Markdown body."""
        return render_page(deps.app.knowledge.get(page_id))

    @server.resource(
        "knowledge://pages/{page_id}/dependencies",
        mime_type="application/json",
        name="page dependencies",
    )
    @resource_errors
    def page_dependencies(page_id: str) -> str:
        """What the page depends on (dependsOn, transitively) and what depends on it."""
        return as_json(api.dependency_graph(deps.app.knowledge, page_id=page_id))

    @server.resource("brief://{brief_id}", mime_type="application/json", name="work brief")
    @resource_errors
    def brief(brief_id: str) -> str:
        """A brief handed out by get_work_brief (agent_work_context.v1)."""
        return as_json(deps.app.agent_runs.brief(brief_id).document)

    @server.resource(
        "brief://{brief_id}/graph", mime_type="application/json", name="brief agent graph"
    )
    @resource_errors
    def brief_graph(brief_id: str) -> str:
        """The brief's pages, the section each is in, their dependsOn edges, what to record."""
        record = deps.app.agent_runs.brief(brief_id)
        return as_json(agent_graph(record.id, record.document))

    @server.resource(
        "knowledge://failure-taxonomy", mime_type="application/json", name="failure taxonomy"
    )
    @resource_errors
    def taxonomy() -> str:
        """Failure classes and the failure pages known, by tag."""
        return as_json(failure_taxonomy(deps))


def pre_work_text(task: str, repo: str = "") -> str:
    phases = "\n".join(f"- {phase}: {', '.join(names)}" for phase, names in EVENT_PHASES.items())
    rules = "\n".join(f"- {rule}" for rule in FINISH_RULES)
    where = f" in `{repo}`" if repo else ""
    return (
        f"Before you edit any code{where} for this task:\n\n> {task}\n\n"
        "1. Call `start_pre_work_protocol` (or `record_run_start` then `get_work_brief`).\n"
        "2. Read every page in `must_load` (resource `knowledge://pages/{id}`), then record "
        "`brief_loaded` with detail.pages listing them.\n"
        "3. Call `resolve_dependencies`; record `dependencies_resolved`, and "
        "`package_version_checked` (package, version) for each `must_verify` package.\n"
        "4. Record `file_inspected` for a file before `file_edited`.\n"
        "5. Record every failing command as `failure_observed`, and `intervention_applied` when "
        "you use an approved intervention.\n"
        "6. Run the tests after your last edit (`test_run` with detail.passed), give the "
        "`final_answer`, then call `complete_run`.\n\n"
        f"Events by phase:\n{phases}\n\n"
        f"A gated run cannot complete without: {', '.join(REQUIRED_FOR_COMPLETION)}.\n"
        f"Rules:\n{rules}\n"
    )


def register_prompts(server: MCPServer) -> None:
    @server.prompt(name="pre_work_research", title="Pre-work research contract")
    def pre_work_research(task: str, repo: str = "") -> str:
        """The protocol a coding agent follows before, during and after editing code."""
        return pre_work_text(task, repo)
