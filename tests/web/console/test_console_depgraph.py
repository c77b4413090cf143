"""The layered layout of the dependsOn drawing: layers follow the edges, boxes never overlap,
cycles and unknown targets are drawn instead of breaking the page, big graphs are cut."""

from __future__ import annotations

import itertools
import random

import pytest

from researchos.web.console.depgraph import Drawing, layout, nearest


def _overlap(drawing: Drawing) -> list[tuple[str, str]]:
    found = []
    for a, b in itertools.combinations(drawing.boxes, 2):
        apart_x = a.x + a.width <= b.x or b.x + b.width <= a.x
        apart_y = a.y + a.height <= b.y or b.y + b.height <= a.y
        if not (apart_x or apart_y):
            found.append((a.id, b.id))
    return found


def _inside(drawing: Drawing) -> bool:
    return all(
        0 <= b.x <= drawing.width - b.width and 0 <= b.y <= drawing.height - b.height
        for b in drawing.boxes
    )


def test_dependencies_sit_below_their_dependents_and_nothing_overlaps() -> None:
    edges = [("app", "client"), ("app", "units"), ("client", "units"), ("client", "http")]
    drawing = layout(["app", "client", "units", "http"], edges, root="client")
    at = {b.id: b for b in drawing.boxes}
    assert [at[n].layer for n in ("app", "client", "units", "http")] == [0, 1, 2, 2]
    assert at["client"].root and not at["app"].root
    assert not _overlap(drawing) and _inside(drawing)
    assert not drawing.cycle and not any(line.reversed for line in drawing.lines)
    # app -> units skips a layer: it bends through a waypoint instead of crossing client
    skip = next(line for line in drawing.lines if (line.source, line.target) == ("app", "units"))
    assert skip.path.count("L") == 2


def test_a_cycle_is_drawn_with_one_reversed_edge() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("a", "d"), ("d", "a")]
    drawing = layout(["a", "b", "c", "d"], edges)
    assert drawing.cycle
    assert {b.id for b in drawing.boxes} == {"a", "b", "c", "d"}
    assert len(drawing.lines) == len(edges)  # a 2-cycle keeps both of its arrows
    assert 1 <= sum(line.reversed for line in drawing.lines) <= 2
    assert not _overlap(drawing) and _inside(drawing)
    assert layout(["x"], [("x", "x")]).lines == ()  # a self-loop is dropped, not looped


def test_unknown_targets_are_drawn_as_such() -> None:
    drawing = layout(["a"], [("a", "ghost")], titles={"a": "A page"})
    at = {b.id: b for b in drawing.boxes}
    assert at["a"].known and not at["ghost"].known
    assert at["a"].title == "A page" and at["ghost"].title == "ghost"


def test_long_titles_are_cut_for_the_box_but_kept_whole() -> None:
    title = "paylib 2.x: charge through the adapter, in minor units, always"
    box = layout(["p"], [], titles={"p": title}).boxes[0]
    assert box.title == title and len(box.label) <= 23 and box.label.endswith("…")


@pytest.mark.parametrize("seed", range(5))
def test_random_graphs_never_overlap(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"n{i}" for i in range(25)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(45)]
    drawing = layout(nodes, edges)
    assert len(drawing.boxes) == len(nodes)
    assert not _overlap(drawing) and _inside(drawing)
    at = {b.id: b for b in drawing.boxes}
    for line in drawing.lines:
        upper, lower = (line.target, line.source) if line.reversed else (line.source, line.target)
        assert at[upper].layer < at[lower].layer


def test_layout_is_deterministic() -> None:
    edges = [("a", "c"), ("b", "c"), ("c", "d"), ("b", "e")]
    assert layout("abcde", edges) == layout("edcba", list(reversed(edges)))


def test_nearest_keeps_the_neighbourhood_of_the_root() -> None:
    chain = [(f"p{i}", f"p{i + 1}") for i in range(10)]
    kept = nearest([f"p{i}" for i in range(11)], chain, root="p5", limit=5)
    assert kept[0] == "p5" and set(kept) == {"p3", "p4", "p5", "p6", "p7"}
    star = [("hub", f"s{i}") for i in range(6)] + [("x", "y")]
    assert nearest([], star, root=None, limit=3)[0] == "hub"
    assert len(nearest([], star, root=None, limit=100)) == 9
