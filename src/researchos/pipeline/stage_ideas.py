"""Stage ``ideas``: generate candidate ideas for the brief and rank them.

Ideas must be runnable by a registered experiment kit (the executable backbone); the model
chooses and phrases them. Ranking uses recorded score components, so the order is auditable.
"""

from __future__ import annotations

import json
from typing import Any

from researchos.kits.models import IdeaSeed
from researchos.kits.registry import all_kits, match_kits
from researchos.pipeline.answers import IdeaBatch
from researchos.pipeline.background import relevant_snippets
from researchos.pipeline.modelcalls import ask, routing_summary
from researchos.pipeline.projects import project_dir
from researchos.pipeline.stages import StageContext, stage
from researchos.store import research

WEIGHTS = {"relevance": 0.35, "novelty": 0.25, "feasibility": 0.2, "rigour": 0.2}


def _prompt(brief: str, kits: list[dict[str, Any]], count: int, snippets: list[str]) -> str:
    parts = [
        f"Research brief:\n{brief}\n",
        f"Propose {count} distinct, falsifiable experiment ideas. Each idea must be "
        "runnable by one of these experiment kits (use its name in `kit`, and only "
        "conditions and metrics that kit supports):",
        json.dumps(kits, indent=1),
    ]
    if snippets:
        parts.append("Relevant background excerpts:\n" + "\n---\n".join(snippets))
    parts.append(
        "Flag weak ideas honestly (duplicate_of, not_falsifiable, infeasible, "
        "too_expensive, low_value)."
    )
    return "\n\n".join(parts)


def _scores(idea: IdeaSeed, relevance: float, budget_cpu_s: float, seeds: int) -> dict[str, float]:
    cost = idea.cost_cpu_seconds * len(idea.conditions) * seeds
    rigour = (
        1.0 if len(idea.conditions) >= 2 and "not_falsifiable" not in idea.flag_reasons() else 0.2
    )
    scores = {
        "relevance": relevance,
        "novelty": idea.novelty_hint,
        "feasibility": max(0.0, 1.0 - cost / max(budget_cpu_s, 1e-9)),
        "rigour": rigour,
    }
    scores["total"] = round(sum(WEIGHTS[k] * v for k, v in scores.items()), 4)
    return {k: round(v, 4) for k, v in scores.items()}


@stage("ideas", order=10)
def generate_ideas(ctx: StageContext) -> dict[str, Any]:
    """Generate N candidate ideas with the kits that fit the brief; rank them."""
    project = ctx.project
    count = int(project.options["ideas"])
    matches = {kit.name: score for kit, score in match_kits(project.brief)}
    kits = [kit.describe() for kit in all_kits()]
    snippets = [
        s.text
        for s in relevant_snippets(
            project_dir(ctx.app, project.id) / "background-index.json", project.brief
        )
    ]
    ctx.report(f"asking for {count} ideas", 0.1)
    response = ask(
        ctx,
        "idea_generation",
        _prompt(project.brief, kits, count, snippets),
        schema=IdeaBatch,
        context={
            "brief": project.brief,
            "count": count,
            "kits": [k["name"] for k in kits],
            "kit_scores": matches,
        },
    )
    batch = response.data
    assert isinstance(batch, IdeaBatch)
    known = {k["name"] for k in kits}
    ideas, dropped = _unique_runnable(batch.ideas, known, count)
    top = max(matches.values(), default=0.0) or 1.0
    fit = _text_fit(project.brief, ideas)
    rows: list[dict[str, Any]] = []
    for idea, text_fit in zip(ideas, fit, strict=True):
        scores = _scores(
            idea,
            0.5 * matches.get(idea.kit, 0.0) / top + 0.5 * text_fit,
            float(project.options["budget_cpu_s"]),
            int(project.options["seeds"]),
        )
        rows.append(
            {"idea_id": idea.id, "title": idea.title, "payload": idea.to_dict(), "scores": scores}
        )
    rows.sort(key=lambda row: (-row["scores"]["total"], row["idea_id"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    with ctx.app.database.session() as session:
        research.replace_ideas(session, project_id=project.id, ideas=rows)
    ctx.app.aras.write_files(
        ctx.slug,
        {
            "evidence/raw/pipeline/ideas.json": json.dumps(
                {"ideas": rows, "dropped": dropped}, indent=1, sort_keys=True
            )
            + "\n"
        },
        event="ideas.generate",
        summary=f"{len(rows)} candidate ideas, ranked",
    )
    return {
        "summary": f"{len(rows)} ideas generated and ranked ({len(dropped)} dropped)",
        "ideas": len(rows),
        "dropped": dropped,
        "routing": routing_summary(response),
    }


def _text_fit(brief: str, ideas: list[IdeaSeed]) -> list[float]:
    """How closely each idea's title and hypothesis match the brief (TF-IDF cosine, 0..1)."""
    if not ideas:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [brief] + [f"{i.title} {i.hypothesis} {' '.join(i.tags)}" for i in ideas]
    try:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    except ValueError:
        return [0.0] * len(ideas)
    similarity = (matrix[1:] @ matrix[0].T).toarray().ravel()
    best = float(similarity.max()) or 1.0
    return [round(float(value) / best, 4) for value in similarity]


def _unique_runnable(
    ideas: list[IdeaSeed], kits: set[str], count: int
) -> tuple[list[IdeaSeed], list[dict[str, str]]]:
    kept: list[IdeaSeed] = []
    dropped: list[dict[str, str]] = []
    seen: set[str] = set()
    for idea in ideas:
        if idea.kit not in kits:
            dropped.append({"idea": idea.id, "reason": f"no kit named {idea.kit!r}"})
        elif idea.id in seen:
            dropped.append({"idea": idea.id, "reason": "repeated id"})
        elif len(kept) >= count:
            dropped.append({"idea": idea.id, "reason": f"beyond the {count} requested"})
        else:
            kept.append(idea)
            seen.add(idea.id)
    return kept, dropped
