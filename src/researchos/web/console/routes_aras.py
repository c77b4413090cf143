"""The ARA browser: list, overview with seal results, claims with evidence, traces and the
exploration tree, evidence files, the paper view, a file viewer and git history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from researchos.artifacts.validate import validate_ara
from researchos.errors import NotFound
from researchos.files import safe_relative
from researchos.history.commits import read_log
from researchos.web.console import ara_view
from researchos.web.console.markup import ara_links, render_markdown
from researchos.web.console.pages import render
from researchos.web.console.routes_seal import seal_state
from researchos.web.console.session import Viewer
from researchos.web.deps import Ros

router = APIRouter(prefix="/aras", include_in_schema=False)
HISTORY_LIMIT = 50


def _page(request: Request, template: str, slug: str, tab: str, **context: Any) -> Response:
    ros = request.app.state.ros
    return render(
        request, template, section="aras", tab=tab, ara=ros.aras.get(slug), slug=slug, **context
    )


@router.get("")
def list_aras(request: Request, ros: Ros, _: Viewer) -> Response:
    return render(request, "aras.html", section="aras", aras=ros.aras.all())


@router.get("/{slug}")
def overview(slug: str, request: Request, ros: Ros, _: Viewer) -> Response:
    return _page(
        request,
        "ara.html",
        slug,
        "overview",
        claims=ros.aras.claims(slug),
        figures=ara_view.figures(ros, slug),
        trace_count=len(ros.aras.traces(slug)),
        sealing=seal_state(request, slug),
    )


@router.get("/{slug}/claims/{claim_id}")
def claim(slug: str, claim_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    found = ros.aras.claim(slug, claim_id)
    root = ros.aras.paths(slug).root
    evidence = [(ref, ara_view.integrity(root, ref.path, ref.sha256)) for ref in found.evidence]
    history = read_log(ros.workspace.git, ara=slug, claim=claim_id, limit=HISTORY_LIMIT)
    return _page(
        request, "claim.html", slug, "claims", claim=found, evidence=evidence, history=history
    )


@router.get("/{slug}/traces")
def traces(slug: str, request: Request, ros: Ros, _: Viewer) -> Response:
    found = ros.aras.traces(slug)
    groups = {
        kind: [t for t in found if t.kind == kind] for kind in ("failure", "decision", "checkpoint")
    }
    return _page(
        request,
        "ara_traces.html",
        slug,
        "traces",
        groups=groups,
        tree=ara_view.tree(ros.aras.exploration(slug)),
    )


@router.get("/{slug}/evidence")
def evidence(slug: str, request: Request, ros: Ros, _: Viewer) -> Response:
    claims = ros.aras.claims(slug)
    files = [
        (path, size, ara_view.citing(claims, path))
        for path, size in ara_view.evidence_files(ros, slug)
    ]
    return _page(
        request,
        "ara_evidence.html",
        slug,
        "evidence",
        files=files,
        figures=ara_view.figures(ros, slug),
    )


@router.get("/{slug}/paper")
def paper(slug: str, request: Request, ros: Ros, _: Viewer) -> Response:
    target = ros.aras.paths(slug).views_dir / "paper.md"
    html = None
    if target.is_file():
        ids = [c.id for c in ros.aras.claims(slug)]
        html = render_markdown(target.read_text("utf-8"), ara_links(slug, ids))
    return _page(request, "ara_paper.html", slug, "paper", html=html)


@router.get("/{slug}/validate")
def validate(slug: str, request: Request, ros: Ros, _: Viewer) -> Response:
    """Format v1 and every cross-reference checked (``researchos ara validate``)."""
    report = validate_ara(ros.aras.paths(slug).root)
    return _page(request, "ara_validate.html", slug, "overview", report=report)


@router.get("/{slug}/history")
def history(slug: str, request: Request, ros: Ros, _: Viewer) -> Response:
    ros.aras.paths(slug)
    entries = read_log(ros.workspace.git, ara=slug, limit=HISTORY_LIMIT)
    return _page(request, "ara_history.html", slug, "history", entries=entries)


@router.get("/{slug}/files/{path:path}")
def file(slug: str, path: str, request: Request, ros: Ros, _: Viewer) -> Response:
    root = ros.aras.paths(slug).root
    claims = ros.aras.claims(slug)
    if not safe_relative(root, path, field="path").is_file():
        raise NotFound(f"ARA {slug!r} has no file {path!r}")
    ids = [c.id for c in claims]
    view = ara_view.view_file(root, path, lambda base: ara_links(slug, ids, base))
    cited = [
        (c, ref, ara_view.integrity(root, ref.path, ref.sha256))
        for c in ara_view.citing(claims, path)
        for ref in c.evidence
        if ref.path == path
    ]
    return _page(request, "ara_file.html", slug, "evidence", view=view, cited=cited)
