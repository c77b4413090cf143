"""Trace operations of ``AraService``: failure, decision and checkpoint traces, and the
exploration tree (a dead end records hypothesis, failure mode and lesson)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from researchos.artifacts.base import AraBase, Origin, TraceItem, next_id
from researchos.artifacts.models import (
    TRACE_ID_PREFIX,
    TRACE_TYPES,
    ExplorationNode,
    ExplorationTree,
    FailureTrace,
    Trace,
    utcnow,
)
from researchos.artifacts.reader import (
    AraPaths,
    load_exploration,
    model_from_data,
    trace_ids,
)
from researchos.errors import Conflict, InputError
from researchos.history.changes import content_change

NODE_FOR_TRACE = {"failure": "dead_end", "decision": "decision", "checkpoint": "experiment"}


class TraceOps(AraBase):
    def add_trace(
        self,
        slug: str,
        kind: str,
        data: Mapping[str, Any],
        *,
        parent: str | None = None,
        origin: Origin | None = None,
    ) -> Trace:
        """Add a failure, decision or checkpoint trace and its exploration-tree node."""
        return self.add_traces(slug, [TraceItem(kind, data, parent)], origin=origin)[0]

    def add_traces(
        self,
        slug: str,
        items: Iterable[TraceItem],
        *,
        event: str = "trace.add",
        summary: str | None = None,
        origin: Origin | None = None,
        skip_existing: bool = False,
    ) -> list[Trace]:
        """Add several traces (and their tree nodes) as one change.

        With ``skip_existing`` an item whose explicit id is already present is skipped, so a
        stage that died half-way can record the same traces again without duplicates.
        """
        paths = self.paths(slug)
        origin = origin or Origin(self.actor)
        meta = self._meta(event, slug, summary or "add traces", origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            existing = [t for k in TRACE_TYPES for t in trace_ids(paths, k)]
            tree = load_exploration(paths)
            added: list[Trace] = []
            for item in items:
                trace = self._trace_from(paths, item, existing, tree, origin, skip_existing)
                if trace is None:
                    continue
                existing.append(trace.id)
                cs.write_yaml(paths.trace(trace.kind, trace.id), trace)
                added.append(trace)
            if added:
                tree = model_from_data(
                    ExplorationTree,
                    tree.model_dump(mode="json"),
                    display=paths.display(paths.exploration),
                )
                cs.write_yaml(paths.exploration, tree)
                first = added[0]
                text = summary or (
                    f"add {first.kind} trace {first.id}: {first.title[:80]}"
                    if len(added) == 1
                    else f"add {len(added)} traces"
                )
                cs.describe(text, Trace=tuple(t.id for t in added) if len(added) > 1 else first.id)
        self._after(cs, slug, traces=added)
        return added

    def _trace_from(
        self,
        paths: AraPaths,
        item: TraceItem,
        existing: list[str],
        tree: ExplorationTree,
        origin: Origin,
        skip_existing: bool,
    ) -> Trace | None:
        if item.kind not in TRACE_TYPES:
            raise InputError(
                f"unknown trace kind {item.kind!r}",
                field="kind",
                fix=f"use one of: {', '.join(TRACE_TYPES)}",
            )
        fields = dict(item.data)
        if skip_existing and fields.get("id") in existing:
            return None
        fields.setdefault("id", next_id(TRACE_ID_PREFIX[item.kind], existing))
        fields.setdefault("attribution", {"actor": origin.actor, "model_tier": origin.model_tier})
        if item.kind == "failure":
            fields.setdefault("discount_after", _months_ahead(18).isoformat())
        node_id = next_id("N", [n.id for n in tree.nodes])
        fields.setdefault("node", node_id)
        display = paths.display(paths.trace(item.kind, str(fields["id"])))
        trace = model_from_data(TRACE_TYPES[item.kind], fields, display=display)
        if trace.id in existing:
            raise Conflict(
                f"trace {trace.id} already exists in ARA {paths.slug!r}",
                fix="choose another id or leave it out",
            )
        tree.nodes.append(_node_for(trace, node_id, item.parent))
        return trace

    def add_node(
        self, slug: str, data: Mapping[str, Any], *, origin: Origin | None = None
    ) -> ExplorationNode:
        """Add a question, experiment or pivot node to the exploration tree."""
        paths = self.paths(slug)
        meta = self._meta("trace.node", slug, "add exploration node", origin)
        with content_change(self.workspace.root, self.workspace.var_dir, meta, ara=slug) as cs:
            tree = load_exploration(paths)
            fields = {**data, "id": data.get("id") or next_id("N", [n.id for n in tree.nodes])}
            raw = tree.model_dump(mode="json")
            raw["nodes"].append(fields)
            tree = model_from_data(ExplorationTree, raw, display=paths.display(paths.exploration))
            node = tree.nodes[-1]
            cs.write_yaml(paths.exploration, tree)
            cs.describe(f"add {node.kind} node {node.id}: {node.title[:80]}", Node=node.id)
        self._after(cs, slug)
        return node


def _node_for(trace: Trace, node_id: str, parent: str | None) -> ExplorationNode:
    kind = NODE_FOR_TRACE[trace.kind]
    fields: dict[str, Any] = {
        "id": node_id,
        "kind": kind,
        "title": trace.title,
        "parent": parent,
        "trace": trace.id,
    }
    if isinstance(trace, FailureTrace):
        fields["hypothesis"] = trace.hypothesis or trace.tried
        fields["failure_mode"] = trace.why_failed
        fields["lesson"] = trace.lesson or "not recorded"
    return ExplorationNode.model_validate(fields)


def _months_ahead(months: int) -> date:
    today = utcnow().date()
    year, month = divmod(today.month - 1 + months, 12)
    return today.replace(year=today.year + year, month=month + 1, day=min(today.day, 28))
