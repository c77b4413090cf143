"""``researchos brief``: a work brief (agent_work_context.v1) for a task."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table

if TYPE_CHECKING:  # the knowledge base (numpy, embeddings) loads only when a brief is asked for
    from researchos.knowledge.brief_model import AgentWorkContext, PageBrief


def brief(
    ctx: typer.Context,
    task: Annotated[str, typer.Option("--task", help="What the agent is about to do.")],
    repo: Annotated[
        Path | None, typer.Option("--repo", help="Project whose manifests to match.")
    ] = None,
    library: Annotated[
        list[str] | None, typer.Option("--library", help="name or name==1.2.3, repeatable.")
    ] = None,
    token_budget: Annotated[
        int | None, typer.Option("--token-budget", help="Default: the setting.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A work brief: risks, dependency traps, interventions and the presentation contract."""
    from researchos.knowledge.brief import build_work_brief

    result = build_work_brief(
        get_app(ctx).knowledge,
        task=task,
        repo=repo,
        libraries=library or [],
        token_budget=token_budget,
    )
    if json_out:
        emit_json(result.model_dump(mode="json"))
        return
    _print(result)


def _print(result: AgentWorkContext) -> None:
    say(f"[bold]Work brief[/bold] ({result.retrieval.mode}) for: {escape(result.task)}")
    if result.retrieval.notice:
        say(f"[yellow]{escape(result.retrieval.notice)}[/yellow]")
    sections: list[tuple[str, Sequence[PageBrief]]] = [
        ("Must load", result.must_load),
        ("Known risks", result.known_risks),
        ("Dependency knowledge", [d.page for d in result.dependency_knowledge]),
        ("Approved interventions", result.approved_interventions),
        ("Decision rules", result.decision_rules),
    ]
    for title, pages in sections:
        if pages:
            table(
                title,
                ["page", "review", "score", "title", "why"],
                (
                    [escape(p.id), p.review, f"{p.score:.3f}", escape(p.title), escape(p.reason)]
                    for p in pages
                ),
            )
    contract = result.presentation_contract
    say(
        f"Must verify: {len(contract.must_verify)} item(s); record: "
        f"{', '.join(contract.required_for_completion)} before finishing."
    )
    budget = result.budget
    say(f"~{budget.estimated_tokens}/{budget.token_budget} tokens; dropped {len(budget.dropped)}")
