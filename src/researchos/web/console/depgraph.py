"""The dependsOn graph drawn: a layered layout computed here, drawn as inline SVG by a template.

    layout(nodes, edges, root=...) -> Drawing (boxes, edge paths, size)

An edge ``a -> b`` means *a depends on b*: a sits in a layer above b. Steps (Sugiyama, kept
small): reverse the edges that close cycles (the knowledge package refuses cycles on add, but
an index written before that check may hold one), give every node its longest-path layer,
put a waypoint on every layer a long edge crosses, order each layer by the barycentre of its
neighbours (a few sweeps down and up), then place the boxes on a grid. No node overlaps
another: every box has its own slot in its layer, and layers are a fixed distance apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

NODE_W, NODE_H = 210, 44
GAP_X, GAP_Y = 24, 56
MARGIN = 12
SWEEPS = 4
MAX_LABEL = 23


@dataclass(frozen=True)
class Box:
    id: str
    title: str
    label: str
    x: int
    y: int
    layer: int
    root: bool = False
    known: bool = True

    @property
    def width(self) -> int:
        return NODE_W

    @property
    def height(self) -> int:
        return NODE_H


@dataclass(frozen=True)
class Line:
    source: str
    target: str
    path: str  # SVG path data, from the bottom of the dependent to the top of its dependency
    reversed: bool = False  # drawn against the layering: the edge closes a cycle


@dataclass(frozen=True)
class Drawing:
    boxes: tuple[Box, ...]
    lines: tuple[Line, ...]
    width: int
    height: int
    cycle: bool


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def acyclic(nodes: list[str], edges: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The edges a depth-first search finds closing a cycle (back edges), to be reversed."""
    children: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        children[a].append(b)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    back: set[tuple[str, str]] = set()
    for start in nodes:
        if state.get(start):
            continue
        state[start] = 1
        stack = [(start, iter(sorted(children[start])))]
        while stack:
            node, rest = stack[-1]
            child = next(rest, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(sorted(children[child]))))
    return back


def layers(nodes: list[str], edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layers of a DAG: a node sits one layer below its lowest dependent."""
    parents: dict[str, list[str]] = defaultdict(list)
    indegree = dict.fromkeys(nodes, 0)
    children: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        children[a].append(b)
        parents[b].append(a)
        indegree[b] += 1
    layer = dict.fromkeys(nodes, 0)
    ready = [n for n in nodes if indegree[n] == 0]
    while ready:
        node = ready.pop()
        for child in children[node]:
            layer[child] = max(layer[child], layer[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return layer


def _sorted_row(row: list[str], neighbours: list[str], links: Mapping[str, list[str]]) -> list[str]:
    """``row`` by the mean position of each node's neighbours in the adjacent row (a node
    without any keeps its place)."""
    where = {n: k for k, n in enumerate(neighbours)}
    current = {n: k for k, n in enumerate(row)}

    def centre(node: str) -> tuple[float, int]:
        seen = [where[m] for m in links.get(node, []) if m in where]
        return (sum(seen) / len(seen) if seen else float(current[node]), current[node])

    return sorted(row, key=centre)


def _order(
    rows: list[list[str]], up: Mapping[str, list[str]], down: Mapping[str, list[str]]
) -> list[list[str]]:
    """Barycentre ordering, sweeping down (neighbours above) then up (neighbours below)."""
    for sweep in range(SWEEPS):
        if sweep % 2 == 0:
            for i in range(1, len(rows)):
                rows[i] = _sorted_row(rows[i], rows[i - 1], up)
        else:
            for i in range(len(rows) - 2, -1, -1):
                rows[i] = _sorted_row(rows[i], rows[i + 1], down)
    return rows


def _chains(
    pairs: list[tuple[str, str]], back: set[tuple[str, str]], layer: dict[str, int]
) -> tuple[dict[tuple[str, str], list[str]], dict[str, int]]:
    """Each edge as the chain of nodes it passes, upper end first, with a waypoint on every
    layer it skips: ``(a, b) -> [a, w1, ..., b]`` (``[b, ..., a]`` for a reversed edge)."""
    chains: dict[tuple[str, str], list[str]] = {}
    waypoints: dict[str, int] = {}
    for a, b in pairs:
        upper, lower = (b, a) if (a, b) in back else (a, b)
        chain = [upper]
        for level in range(layer[upper] + 1, layer[lower]):
            name = f"\0{a}\0{b}\0{level}"
            waypoints[name] = level
            chain.append(name)
        chains[(a, b)] = [*chain, lower]
    return chains, waypoints


def layout(
    nodes: Iterable[str],
    edges: Iterable[tuple[str, str]],
    *,
    titles: Mapping[str, str] | None = None,
    root: str | None = None,
) -> Drawing:
    """Place ``nodes`` (ids) and draw ``edges`` (dependent, dependency). Edges naming an
    unknown node add it (drawn as *not in the index*); self-loops and duplicates are dropped."""
    titles = titles or {}
    known = sorted(set(nodes))
    pairs = sorted({(a, b) for a, b in edges if a != b})
    order = known + sorted({n for pair in pairs for n in pair} - set(known))
    back = acyclic(order, pairs)
    forward = [(b, a) if (a, b) in back else (a, b) for a, b in pairs]
    layer = layers(order, forward)
    chains, waypoints = _chains(pairs, back, layer)
    everything = {**layer, **waypoints}
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for chain in chains.values():
        for a, b in pairwise(chain):
            down[a].append(b)
            up[b].append(a)
    depth = max(everything.values(), default=-1) + 1
    rows: list[list[str]] = [[] for _ in range(depth)]
    for name in sorted(everything, key=lambda n: (n.startswith("\0"), n)):
        rows[everything[name]].append(name)
    rows = _order(rows, up, down)
    return _place(rows, chains, back, titles, root, set(known))


def _place(
    rows: list[list[str]],
    chains: dict[tuple[str, str], list[str]],
    back: set[tuple[str, str]],
    titles: Mapping[str, str],
    root: str | None,
    known: set[str],
) -> Drawing:
    widest = max((len(row) for row in rows), default=0)
    width = 2 * MARGIN + widest * NODE_W + max(widest - 1, 0) * GAP_X
    height = 2 * MARGIN + len(rows) * NODE_H + max(len(rows) - 1, 0) * GAP_Y
    spot: dict[str, tuple[int, int]] = {}
    for level, row in enumerate(rows):
        used = len(row) * NODE_W + max(len(row) - 1, 0) * GAP_X
        left = (width - used) // 2
        for k, name in enumerate(row):
            spot[name] = (left + k * (NODE_W + GAP_X), MARGIN + level * (NODE_H + GAP_Y))
    boxes = tuple(
        Box(
            id=name,
            title=titles.get(name, name),
            label=_label(titles.get(name, name)),
            x=spot[name][0],
            y=spot[name][1],
            layer=level,
            root=name == root,
            known=name in known,
        )
        for level, row in enumerate(rows)
        for name in row
        if not name.startswith("\0")
    )
    lines = []
    for (a, b), chain in sorted(chains.items()):
        reverse = (a, b) in back
        points = [spot[n] for n in (reversed(chain) if reverse else chain)]
        lines.append(Line(a, b, _path(points, reverse), reverse))
    return Drawing(boxes, tuple(lines), width, height, bool(back))


def _path(points: list[tuple[int, int]], reverse: bool) -> str:
    """From the bottom centre of the first box through waypoints to the top of the last;
    a reversed (cycle) edge runs from the top of the lower box to the bottom of the upper."""
    half = NODE_W // 2
    if reverse:
        coords = [(x + half, y) for x, y in points[:1]]
        coords += [(x + half, y + NODE_H // 2) for x, y in points[1:-1]]
        coords += [(x + half, y + NODE_H) for x, y in points[-1:]]
    else:
        coords = [(x + half, y + NODE_H) for x, y in points[:1]]
        coords += [(x + half, y + NODE_H // 2) for x, y in points[1:-1]]
        coords += [(x + half, y) for x, y in points[-1:]]
    head, *rest = coords
    return f"M{head[0]},{head[1]} " + " ".join(f"L{x},{y}" for x, y in rest)


def nearest(
    nodes: Iterable[str], edges: Iterable[tuple[str, str]], *, root: str | None, limit: int
) -> list[str]:
    """At most ``limit`` nodes, the closest to ``root`` first (edges taken both ways); with no
    root, breadth-first from the best-connected nodes. Keeps big graphs drawable."""
    pairs = list(edges)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    everything = sorted(set(nodes) | set(neighbours))
    starts = [root] if root is not None else []
    starts += sorted(everything, key=lambda n: (-len(neighbours[n]), n))
    kept: dict[str, None] = {}
    for start in starts:
        frontier = [start]
        while frontier and len(kept) < limit:
            fresh = [n for n in dict.fromkeys(frontier) if n not in kept]
            for node in fresh[: limit - len(kept)]:
                kept[node] = None
            frontier = sorted({m for n in fresh for m in neighbours[n]} - set(kept))
        if len(kept) >= limit:
            break
    return list(kept)
