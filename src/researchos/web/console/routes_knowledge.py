"""Knowledge: hybrid search, one page with its provenance, its dependsOn tree and drawn
neighbourhood, and the whole dependsOn graph drawn (``/knowledge/graph``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from researchos.errors import InputError
from researchos.knowledge import api
from researchos.knowledge.page import PAGE_KINDS, REVIEW_STATUSES
from researchos.web.console import depgraph
from researchos.web.console.markup import Links, render_markdown
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.deps import Ros

router = APIRouter(prefix="/knowledge", include_in_schema=False)
LIST_LIMIT = 200
TREE_DEPTH = 8
DRAWN_AROUND_PAGE = 40  # nodes drawn around one page; the tree lists every one
DRAWN_WHOLE = 60


def tree(edges: dict[str, list[str]], root: str, depth: int = 0) -> list[dict[str, Any]]:
    """What ``root`` depends on, as nested nodes (validated graphs have no cycles; the depth
    cap guards an index written before that check)."""
    if depth >= TREE_DEPTH:
        return []
    return [
        {"id": child, "children": tree(edges, child, depth + 1)}
        for child in sorted(edges.get(root, []))
    ]


@router.get("")
def knowledge(
    request: Request,
    ros: Ros,
    _: Viewer,
    q: Annotated[str, Query(max_length=500)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    chosen = kind if kind in PAGE_KINDS else None
    result = None
    pages: list[Any] = []
    if q.strip():
        result = api.search_knowledge(ros.knowledge, query=q, limit=20, kind=chosen)
    else:
        found = [p for p in ros.knowledge.pages() if chosen is None or p.kind == chosen]
        pages = sorted(found, key=lambda p: (p.kind, p.id))[:LIST_LIMIT]
    return render(
        request,
        "knowledge.html",
        section="knowledge",
        q=q,
        kind=chosen or "",
        kinds=PAGE_KINDS,
        result=result,
        pages=pages,
    )


def drawing(graph: dict[str, Any], *, limit: int) -> tuple[depgraph.Drawing, int]:
    """The graph of ``api.dependency_graph`` drawn, cut to the ``limit`` nodes nearest its
    root; also how many nodes it has in all."""
    pairs = [(e["from"], e["to"]) for e in graph["edges"] + graph["missing"]]
    ids = [n["id"] for n in graph["nodes"]]
    kept = set(depgraph.nearest(ids, pairs, root=graph["root"], limit=limit))
    total = len(set(ids) | {n for pair in pairs for n in pair})
    drawn = depgraph.layout(
        [n for n in ids if n in kept],
        [(a, b) for a, b in pairs if a in kept and b in kept],
        titles={n["id"]: n["title"] for n in graph["nodes"]},
        root=graph["root"],
    )
    return drawn, total


@router.get("/graph")
def whole_graph(request: Request, ros: Ros, _: Viewer) -> Response:
    graph = api.dependency_graph(ros.knowledge)
    drawn, total = drawing(graph, limit=DRAWN_WHOLE)
    return render(
        request,
        "knowledge_graph.html",
        section="knowledge",
        drawing=drawn,
        total=total,
        cycle=graph["cycle"],
    )


@router.get("/pages/{page_id}")
def page(page_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    kb = ros.knowledge
    found = kb.get(page_id)
    graph = api.dependency_graph(kb, page_id=page_id)
    edges: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        edges.setdefault(edge["from"], []).append(edge["to"])
    body = render_markdown(found.body, Links(base=".", files="/knowledge/pages/"))
    drawn, total = drawing(graph, limit=DRAWN_AROUND_PAGE)
    return render(
        request,
        "knowledge_page.html",
        section="knowledge",
        page=found,
        body=body,
        provenance=api.page_provenance(kb, page_id=page_id),
        depends=tree(edges, page_id),
        dependents=sorted(e["from"] for e in graph["edges"] if e["to"] == page_id),
        titles={node["id"]: node["title"] for node in graph["nodes"]},
        missing=graph["missing"],
        drawing=drawn,
        total=total,
        statuses=REVIEW_STATUSES,
    )


@router.post("/pages/{page_id}/review")
def review(
    page_id: str,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    status: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A person's review (``researchos knowledge review``): the service refuses agents."""
    if status not in REVIEW_STATUSES:
        raise InputError(
            f"unknown review status {status!r}",
            field="status",
            fix=f"one of {', '.join(REVIEW_STATUSES)}",
        )
    ros.knowledge.review(page_id, status=status, note=note.strip())
    return redirect(f"/knowledge/pages/{page_id}#h-review", "knowledge_reviewed")


@router.post("/sync")
def sync(ros: Ros, _: Viewer, __: CsrfChecked) -> Response:
    """Claim and failure pages from every ARA (``researchos knowledge sync``)."""
    ros.knowledge.sync()
    return redirect("/knowledge", "knowledge_synced")
