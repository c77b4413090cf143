"""The research landscape as it is on disk: files under research-landscape/ and proposals/
(until the landscape package gives the page proposals to merge or reject)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from researchos.errors import NotFound
from researchos.files import iter_files, safe_relative
from researchos.web.console import ara_view
from researchos.web.console.markup import Links, render_markdown
from researchos.web.console.pages import render
from researchos.web.console.session import Viewer
from researchos.web.deps import Ros

router = APIRouter(include_in_schema=False)
LANDSCAPE_PARTS = ("known-results", "hypotheses", "retracted")


def _files(root: Any, directory: Any) -> list[tuple[str, int]]:
    if not directory.is_dir():
        return []
    return [
        (p.relative_to(root).as_posix(), p.stat().st_size)
        for p in iter_files(directory)
        if p.name != ".gitkeep"
    ]


def _landscape_links(base: str) -> Links:
    return Links(base=base, files="/landscape/files/")


@router.get("/landscape")
def landscape(request: Request, ros: Ros, _: Viewer) -> Response:
    root = ros.workspace.landscape_dir
    index = root / "index.md"
    html = (
        render_markdown(index.read_text("utf-8"), _landscape_links("."))
        if index.is_file()
        else None
    )
    parts = {name: _files(root, root / name) for name in LANDSCAPE_PARTS}
    proposals = _files(ros.workspace.root, ros.workspace.proposals_dir)
    return render(
        request, "landscape.html", section="landscape", index=html, parts=parts, proposals=proposals
    )


@router.get("/landscape/files/{path:path}")
def landscape_file(path: str, request: Request, ros: Ros, _: Viewer) -> Response:
    root = ros.workspace.landscape_dir
    if not safe_relative(root, path, field="path").is_file():
        raise NotFound(f"research-landscape/ has no file {path!r}")
    view = ara_view.view_file(root, path, _landscape_links)
    return render(request, "landscape_file.html", section="landscape", view=view)
