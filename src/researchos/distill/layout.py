"""Turn grounded proposals into ARA content: claims, failure / decision / checkpoint traces,
exploration-tree nodes and evidence references, all validated in memory before any write."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from researchos.artifacts.models import (
    TRACE_DIRS,
    CheckpointTrace,
    Claim,
    DecisionTrace,
    ExplorationNode,
    ExplorationTree,
    FailureTrace,
    utcnow,
)
from researchos.artifacts.reader import model_from_data
from researchos.distill.events import Event
from researchos.distill.grounding import Grounded, normalise
from researchos.distill.metrics import NUMBER
from researchos.distill.proposal import (
    ProposedCheckpoint,
    ProposedClaim,
    ProposedDeadEnd,
    ProposedDecision,
    ProposedNumber,
    Quote,
)
from researchos.distill.source import scrub
from researchos.distill.writer import Plan, Snapshot
from researchos.files import dump_yaml

DISCOUNT_MONTHS = 18
_NUMBER = re.compile(NUMBER)


@dataclass(frozen=True)
class Context:
    """What every item of one distillation shares."""

    evidence_path: str
    evidence_sha256: str
    transcript: str
    fmt: str
    actor: str
    model_tier: str | None
    mock: bool
    events: Mapping[str, Event]
    span_text: Callable[[int, int], str]


@dataclass
class Ids:
    """Next free ids per prefix, starting after what the ARA already holds."""

    taken: set[str]

    def next(self, prefix: str) -> str:
        numbers = [int(m.group(1)) for i in self.taken if (m := re.fullmatch(rf"{prefix}(\d+)", i))]
        new = f"{prefix}{(max(numbers) + 1 if numbers else 1):04d}"
        self.taken.add(new)
        return new


@dataclass
class Content:
    claims: list[Claim] = field(default_factory=list)
    traces: list[FailureTrace | DecisionTrace | CheckpointTrace] = field(default_factory=list)
    nodes: list[ExplorationNode] = field(default_factory=list)

    def trace_files(self) -> dict[str, str]:
        return {
            f"traces/{TRACE_DIRS[t.kind]}/{t.id}.yaml": dump_yaml(
                t.model_dump(mode="json", exclude_none=True)
            )
            for t in self.traces
        }


def q_lines(quote: Quote) -> range:
    return range(quote.line_start, quote.line_end + 1)


def plan_builder(
    accepted: list[Grounded],
    ctx: Context,
    root_title: str,
    evidence: Mapping[str, bytes],
    manifest_changes: dict[str, Any],
) -> Callable[[Snapshot], Plan]:
    """How to lay the accepted items out on top of the ARA as a snapshot finds it."""

    def build(snapshot: Snapshot) -> Plan:
        content = build_content(accepted, ctx, Ids(set(snapshot.taken)), root_title)
        nodes = [n.model_dump(mode="json") for n in [*snapshot.tree.nodes, *content.nodes]]
        tree = model_from_data(ExplorationTree, {"nodes": nodes}, display="traces/exploration.yaml")
        files: dict[str, bytes | str] = {**evidence, **content.trace_files()}
        files["traces/exploration.yaml"] = dump_yaml(
            tree.model_dump(mode="json", exclude_none=True)
        )
        return Plan(
            claims=[c.model_dump(mode="json", exclude_none=True) for c in content.claims],
            files=files,
            trace_ids=[t.id for t in content.traces],
            manifest_changes=manifest_changes,
        )

    return build


def months_ahead(months: int) -> date:
    today = utcnow().date()
    year, month = divmod(today.month - 1 + months, 12)
    return today.replace(year=today.year + year, month=month + 1, day=min(today.day, 28))


def build_content(grounded: list[Grounded], ctx: Context, ids: Ids, root_title: str) -> Content:
    content = Content()
    root = ids.next("N")
    content.nodes.append(ExplorationNode(id=root, kind="question", title=root_title[:200]))
    checkpoints: dict[str, str] = {}
    for item in (g for g in grounded if g.kind == "checkpoints"):
        trace = _checkpoint(item, ctx, ids, root, content)
        metric = next((n.metric for n in trace.numbers if n.metric), None)
        if metric:
            checkpoints.setdefault(metric.lower(), trace.id)
    for item in grounded:
        if item.kind == "dead_ends":
            _dead_end(item, ctx, ids, root, content)
        elif item.kind == "decisions":
            _decision(item, ctx, ids, root, content)
    for item in (g for g in grounded if g.kind == "claims"):
        _claim(item, ctx, ids, content, checkpoints)
    return content


# --- items -----------------------------------------------------------------------------------


def _refs(quotes: Iterable[Quote], ctx: Context) -> list[dict[str, Any]]:
    refs, seen = [], set()
    for q in quotes:
        locator = f"L{q.line_start}-L{q.line_end}"
        if locator in seen:
            continue
        seen.add(locator)
        refs.append(
            {
                "path": ctx.evidence_path,
                "sha256": ctx.evidence_sha256,
                "locator": locator,
                "kind": "transcript_span",
                "note": normalise(q.text)[:300],
            }
        )
    return refs


def _numbers(
    numbers: list[ProposedNumber], quotes: tuple[Quote, ...], ctx: Context
) -> list[dict[str, Any]]:
    out = []
    for number in numbers:
        where = next(
            (q for q in quotes if _holds(ctx.span_text(q.line_start, q.line_end), number.value)),
            quotes[-1],
        )
        out.append(
            {
                "value": number.value,
                "unit": number.unit,
                "metric": number.metric,
                "source": f"{ctx.evidence_path}#L{where.line_start}-L{where.line_end}",
            }
        )
    return out


def _holds(text: str, value: float) -> bool:
    return any(
        abs(float(m.group(0)) - abs(value)) <= 1e-9 * max(1.0, abs(value))
        for m in _NUMBER.finditer(text)
    )


def _attribution(ctx: Context) -> dict[str, Any]:
    return {"actor": ctx.actor, "model_tier": ctx.model_tier}


def _tags(ctx: Context, extra: list[str]) -> list[str]:
    tags = ["distill", ctx.fmt, *(scrub(t) for t in extra)]
    return list(dict.fromkeys(tags))


def _claim(
    item: Grounded, ctx: Context, ids: Ids, content: Content, checkpoints: dict[str, str]
) -> None:
    proposed = item.item
    assert isinstance(proposed, ProposedClaim)
    claim_id = ids.next("C")
    metrics = [str(n.metric).lower() for n in proposed.numbers if n.metric]
    traces = [checkpoints[m] for m in metrics if m in checkpoints]
    data = {
        "id": claim_id,
        "statement": scrub(proposed.statement),
        "kind": proposed.kind,
        "status": "hypothesis",
        "provenance": "ai-suggested",
        "conditions": {
            k: scrub(v) if isinstance(v, str) else v for k, v in proposed.conditions.items()
        },
        "sources": [
            f"transcript:{ctx.transcript}#L{q.line_start}-L{q.line_end}" for q in item.quotes
        ],
        "falsification": scrub(proposed.falsification) if proposed.falsification else None,
        "tags": _tags(ctx, proposed.tags),
        "evidence": _refs(item.quotes, ctx),
        "numbers": _numbers(proposed.numbers, item.quotes, ctx),
        "traces": list(dict.fromkeys(traces)),
        "flags": ["MOCK"] if ctx.mock else [],
    }
    content.claims.append(model_from_data(Claim, data, display=f"claims/{claim_id}.yaml"))
    for trace in content.traces:
        if isinstance(trace, CheckpointTrace) and trace.id in traces:
            trace.claims = [*trace.claims, claim_id]


def _elapsed(quotes: tuple[Quote, ...], ctx: Context) -> float:
    stamps = []
    for q in quotes:
        event = ctx.events.get(q.event or "")
        if event is not None and event.at:
            try:
                stamps.append(datetime.fromisoformat(event.at.replace("Z", "+00:00")))
            except ValueError:
                continue
    return max((max(stamps) - min(stamps)).total_seconds(), 0.0) if len(stamps) > 1 else 0.0


def _dead_end(item: Grounded, ctx: Context, ids: Ids, root: str, content: Content) -> None:
    proposed = item.item
    assert isinstance(proposed, ProposedDeadEnd)
    trace_id, node_id = ids.next("F"), ids.next("N")
    data = {
        "id": trace_id,
        "title": scrub(proposed.title)[:200],
        "tried": scrub(proposed.tried),
        "why_failed": scrub(proposed.failure_mode),
        "failure_class": proposed.failure_class,
        "hypothesis": scrub(proposed.hypothesis),
        "lesson": scrub(proposed.lesson),
        "cost": {"time_s": _elapsed(item.quotes, ctx), "tokens": 0},
        "attribution": _attribution(ctx),
        "discount_after": months_ahead(DISCOUNT_MONTHS).isoformat(),
        "tags": _tags(ctx, proposed.tags),
        "evidence": _refs(item.quotes, ctx),
        "node": node_id,
    }
    trace = model_from_data(FailureTrace, data, display=f"traces/failures/{trace_id}.yaml")
    content.traces.append(trace)
    content.nodes.append(
        ExplorationNode(
            id=node_id,
            kind="dead_end",
            title=trace.title,
            parent=root,
            trace=trace_id,
            hypothesis=trace.hypothesis or trace.tried,
            failure_mode=trace.why_failed or "not recorded",
            lesson=trace.lesson or "not recorded",
        )
    )
    if proposed.pivot:
        pivot = scrub(proposed.pivot)[:200]
        content.nodes.append(
            ExplorationNode(id=ids.next("N"), kind="pivot", title=pivot, parent=node_id)
        )


def _decision(item: Grounded, ctx: Context, ids: Ids, root: str, content: Content) -> None:
    proposed = item.item
    assert isinstance(proposed, ProposedDecision)
    trace_id, node_id = ids.next("D"), ids.next("N")
    where = ", ".join(f"L{q.line_start}-L{q.line_end}" for q in item.quotes)
    data = {
        "id": trace_id,
        "title": scrub(proposed.title)[:200],
        "decision": scrub(proposed.decision),
        "rationale": f"{scrub(proposed.rationale)} [{ctx.evidence_path} {where}]",
        "alternatives": [scrub(a) for a in proposed.alternatives],
        "attribution": _attribution(ctx),
        "tags": _tags(ctx, proposed.tags),
        "node": node_id,
    }
    trace = model_from_data(DecisionTrace, data, display=f"traces/decisions/{trace_id}.yaml")
    content.traces.append(trace)
    content.nodes.append(
        ExplorationNode(id=node_id, kind="decision", title=trace.title, parent=root, trace=trace_id)
    )


def _checkpoint(
    item: Grounded, ctx: Context, ids: Ids, root: str, content: Content
) -> CheckpointTrace:
    proposed = item.item
    assert isinstance(proposed, ProposedCheckpoint)
    trace_id, node_id = ids.next("K"), ids.next("N")
    data = {
        "id": trace_id,
        "title": scrub(proposed.title)[:200],
        "description": scrub(proposed.description),
        "numbers": _numbers(proposed.numbers, item.quotes, ctx),
        "evidence": _refs(item.quotes, ctx),
        "attribution": _attribution(ctx),
        "tags": _tags(ctx, proposed.tags),
        "node": node_id,
    }
    trace = model_from_data(CheckpointTrace, data, display=f"traces/checkpoints/{trace_id}.yaml")
    content.traces.append(trace)
    content.nodes.append(
        ExplorationNode(
            id=node_id, kind="experiment", title=trace.title, parent=root, trace=trace_id
        )
    )
    return trace
