"""The ``dependsOn`` graph: cycles (named hop by hop), unknown targets and closures."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from researchos.errors import InputError

Edges = Mapping[str, Iterable[str]]


def find_cycle(edges: Edges) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]``, or None. Iterative DFS: deep chains cannot overflow."""
    colour: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(edges):
        if colour.get(start):
            continue
        path = [start]
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges.get(start, ()))))]
        colour[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                colour[node] = 2
            elif colour.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif not colour.get(child):
                colour[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(edges.get(child, ())))))
    return None


def check_graph(edges: Edges, *, display: str = "knowledge/") -> None:
    """Raise an InputError naming the first unknown target or the cycle."""
    for page, targets in sorted(edges.items()):
        for target in targets:
            if target not in edges:
                raise InputError(
                    f"page {page} depends on unknown page {target!r}",
                    file=display,
                    field="dependsOn",
                    fix=f"add page {target!r} first or remove it from dependsOn",
                )
    cycle = find_cycle(edges)
    if cycle:
        raise InputError(
            f"dependsOn cycle: {' -> '.join(cycle)}",
            file=display,
            field="dependsOn",
            fix="remove one of these dependsOn links",
        )


def dependents(edges: Edges, page_id: str) -> list[str]:
    """Pages that (transitively) depend on ``page_id``."""
    reverse: dict[str, list[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    out: list[str] = []
    frontier = [page_id]
    seen = {page_id}
    while frontier:
        nxt = []
        for node in frontier:
            for parent in sorted(reverse.get(node, ())):
                if parent not in seen:
                    seen.add(parent)
                    out.append(parent)
                    nxt.append(parent)
        frontier = nxt
    return out
