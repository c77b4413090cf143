"""Policy candidates proposed from an agent run: draft ``policy`` pages a person may approve.

A candidate is a knowledge page of kind ``policy`` with review ``draft``: briefs leave drafts
out of ``decision_rules`` until a person reviews the page (``researchos knowledge review``),
so an agent can propose but never approve.
"""

from __future__ import annotations

from typing import Any

from researchos.agentruns.service import AgentRunService
from researchos.errors import InputError
from researchos.knowledge.page import page_from_fields
from researchos.knowledge.service import KnowledgeBase

MAX_RULE = 2000


def _candidate_id(kb: KnowledgeBase, run_id: str) -> str:
    base = f"policy-candidate.{run_id.lower()}"
    number = 1
    while kb.files.exists(base if number == 1 else f"{base}.{number}"):
        number += 1
    return base if number == 1 else f"{base}.{number}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} x{n}" for name, n in sorted(counts.items())) or "none"


def _body(rule: str, rationale: str, summary: dict[str, Any]) -> str:
    validation = summary["validation"]
    lines = [
        f"**Proposed rule.** {rule.strip()}",
        "",
        f"**Why.** {rationale.strip() or '(no rationale given)'}",
        "",
        f"Proposed from agent run `{summary['run']['id']}` (task: {summary['run']['task'][:300]}).",
        f"Events: {_counts(summary['counts'])}.",
        f"Protocol compliance of that run: {validation['compliance']:.2f}.",
        "",
        "This is a candidate: it enters briefs only after a person reviews it.",
    ]
    return "\n".join(lines)


def propose_policy_candidate(
    runs: AgentRunService,
    kb: KnowledgeBase,
    *,
    run_id: str,
    title: str,
    rule: str,
    rationale: str = "",
) -> dict[str, Any]:
    """Write a draft policy page citing the run; returns its id and the commit."""
    if not rule.strip() or len(rule) > MAX_RULE:
        raise InputError(f"the rule must have 1 to {MAX_RULE} characters", field="rule")
    if not title.strip() or len(title) > 300:
        raise InputError("the title must have 1 to 300 characters", field="title")
    summary = runs.summary(run_id)
    run = summary["run"]
    actor = f"agent:{run['agent'] or 'mcp'}"
    page = page_from_fields(
        {
            "id": _candidate_id(kb, run_id),
            "kind": "policy",
            "title": title.strip(),
            "review": "draft",
            "sources": [{"ref": f"agent-run:{run_id}", "kind": "other", "note": "agent run"}],
            "tags": ["policy-candidate"],
            "body": _body(rule, rationale, summary),
        },
        display="policy candidate",
    )
    report = kb.write_pages(
        [page], event="knowledge.add", summary=f"policy candidate from {run_id}", actor=actor
    )
    return {"page_id": page.id, "review": page.review, "commit": report.commit, "run_id": run_id}
