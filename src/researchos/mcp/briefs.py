"""Briefs as the MCP tools hand them out: built, stored under an id, and drawn as a graph."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from researchos.knowledge import api
from researchos.mcp.deps import ToolDeps

SECTIONS = (
    "must_load",
    "known_risks",
    "dependency_knowledge",
    "approved_interventions",
    "decision_rules",
)


def issue_brief(
    deps: ToolDeps,
    *,
    task: str,
    repo: str | None,
    libraries: Sequence[str],
    agent: str,
    model: str,
    toolchain: str,
    token_budget: int | None,
) -> tuple[str, dict[str, Any]]:
    """Build and store the brief; returns (brief_id, document), the repo as the agent named it."""
    brief = api.build_work_brief(
        deps.app.knowledge,
        task=task,
        repo=deps.repo(repo),
        libraries=list(libraries),
        token_budget=token_budget,
        agent={"agent": agent, "model": model, "toolchain": toolchain},
    )
    # the agent's own name for the repo, not the server's path (a sandbox sees another tree)
    brief = brief.model_copy(update={"repo": brief.repo.model_copy(update={"path": repo})})
    brief_id = deps.app.agent_runs.store_brief(brief, repo=repo)
    return brief_id, brief.model_dump(mode="json")


def _section_pages(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    pages = []
    for section in SECTIONS:
        for item in document.get(section, []):
            pages.append((section, item["page"] if section == "dependency_knowledge" else item))
    return pages


def agent_graph(brief_id: str, document: dict[str, Any]) -> dict[str, Any]:
    """The brief as a graph: its pages (with their section) and their dependsOn edges."""
    nodes: dict[str, dict[str, Any]] = {}
    for section, page in _section_pages(document):
        nodes.setdefault(
            page["id"],
            {"id": page["id"], "kind": page["kind"], "title": page["title"], "sections": []},
        )["sections"].append(section)
    edges = [
        {"from": page["id"], "to": dep, "in_brief": dep in nodes}
        for _, page in _section_pages(document)
        for dep in page.get("depends_on", [])
    ]
    unique = {(e["from"], e["to"]): e for e in edges}
    contract = document.get("presentation_contract", {})
    return {
        "brief_id": brief_id,
        "task": document.get("task"),
        "nodes": list(nodes.values()),
        "edges": list(unique.values()),
        "must_load": contract.get("must_load", []),
        "must_record": contract.get("must_record", {}),
    }
