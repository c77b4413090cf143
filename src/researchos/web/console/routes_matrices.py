"""Agent-run matrices: the list, and one matrix's report with its figures."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from researchos.errors import NotFound
from researchos.files import safe_relative
from researchos.web.console.markup import Links, render_markdown
from researchos.web.console.pages import render
from researchos.web.console.session import Viewer
from researchos.web.deps import Ros

router = APIRouter(prefix="/matrices", include_in_schema=False)


@router.get("")
def matrices(request: Request, ros: Ros, _: Viewer) -> Response:
    return render(request, "matrices.html", section="matrices", matrices=ros.matrix.list())


@router.get("/{matrix_id}")
def matrix(matrix_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    shown = ros.matrix.show(matrix_id)
    report = ros.matrix.matrix_dir(shown["id"]) / "report.md"
    base = f"/matrices/{shown['id']}/files/"
    html = (
        render_markdown(report.read_text("utf-8"), Links(base=".", files=base, images=base))
        if report.is_file()
        else None
    )
    return render(request, "matrix.html", section="matrices", matrix=shown, report=html)


@router.get("/{matrix_id}/files/{path:path}")
def matrix_file(matrix_id: str, path: str, ros: Ros, _: Viewer) -> Response:
    """The report's figures (PNG) and the report itself; nothing else under the matrix dir."""
    directory = ros.matrix.matrix_dir(ros.matrix.resolve(matrix_id))
    target = safe_relative(directory, path, field="path")
    allowed = path == "report.md" or (path.startswith("figures/") and path.endswith(".png"))
    if not allowed or not target.is_file():
        raise NotFound(f"matrix {matrix_id} has no file {path!r}")
    media = "image/png" if path.endswith(".png") else "text/markdown; charset=utf-8"
    return FileResponse(target, media_type=media)
