"""Agent-run matrices: the list with a form to start one (a built-in experiment or an uploaded
YAML), one matrix's progress and then its report with its figures."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from researchos.errors import InputError, NotFound
from researchos.files import safe_relative
from researchos.matrix import catalog
from researchos.matrix.experiment import MAX_FILE_BYTES
from researchos.matrix.service import new_matrix_id
from researchos.web.console.background import Task, background
from researchos.web.console.markup import Links, render_markdown
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.console.uploads import chosen, save_upload
from researchos.web.deps import Ros

router = APIRouter(prefix="/matrices", include_in_schema=False)
UPLOAD = "upload"
MAX_WORKERS = 64
GROUP = "matrix"  # one console matrix at a time: a matrix keeps every worker busy


def _key(matrix_id: str) -> str:
    return f"matrix:{matrix_id}"


def _builtins(ros: Any) -> list[dict[str, Any]]:
    found = []
    for name in catalog.builtin_experiments():
        experiment, _ = ros.matrix.load(name)
        found.append({"name": name, "cells": experiment.cells, "about": experiment.description})
    return found


def _list_page(
    request: Request,
    ros: Any,
    *,
    form: dict[str, Any] | None = None,
    error: InputError | None = None,
    status_code: int = 200,
) -> Response:
    busy = background(request).busy(GROUP)
    return render(
        request,
        "matrices.html",
        section="matrices",
        matrices=ros.matrix.list(),
        builtins=_builtins(ros),
        form=form or {"experiment": "quick", "workers": "", "ara": ""},
        error=error,
        busy=busy.info["id"] if busy else None,
        status_code=status_code,
    )


@router.get("")
def matrices(request: Request, ros: Ros, _: Viewer) -> Response:
    return _list_page(request, ros)


@router.post("")
async def start(
    request: Request,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    experiment: Annotated[str, Form()] = "",
    workers: Annotated[str, Form()] = "",
    ara: Annotated[str, Form(max_length=100)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Check the experiment as ``matrix run`` would, then run it in the background."""
    form = {"experiment": experiment, "workers": workers, "ara": ara}
    scratch = Path(tempfile.mkdtemp(prefix="researchos-matrix-"))
    try:
        reference = await _reference(experiment, chosen(file), scratch)
        checked = ros.matrix.check(reference)
        count = _workers(workers)
        matrix_id = new_matrix_id()

        def work(task: Task) -> None:
            ros.matrix.run(reference, matrix_id=matrix_id, workers=count, ara=ara.strip() or None)

        background(request).start(
            _key(matrix_id),
            work,
            group=GROUP,
            info={"id": matrix_id, "name": checked.name, "cells": checked.cells},
            finally_=lambda: shutil.rmtree(scratch, ignore_errors=True),
        )
    except InputError as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        return _list_page(request, ros, form=form, error=exc, status_code=exc.status)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return redirect(f"/matrices/{matrix_id}", "matrix_started")


async def _reference(experiment: str, upload: UploadFile | None, scratch: Path) -> str:
    """A built-in experiment's name, or the uploaded file saved under its own (safe) name so
    that errors name it."""
    if experiment != UPLOAD:
        if experiment not in catalog.builtin_experiments():
            raise InputError(
                f"unknown experiment {experiment!r}",
                field="experiment",
                fix=f"choose one of {', '.join(catalog.builtin_experiments())} or upload a file",
            )
        return experiment
    if upload is None:
        raise InputError("no file chosen", field="file", fix="choose an experiment YAML file")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(upload.filename or "").name).lstrip(".")
    if not name.endswith((".yaml", ".yml")):
        name = f"{name or 'experiment'}.yaml"
    target = scratch / name
    await save_upload(upload, target, limit=MAX_FILE_BYTES, field="file")
    return str(target)


def _workers(raw: str) -> int | None:
    if not raw.strip():
        return None
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_WORKERS:
        raise InputError(
            f"{raw!r} is not a number of workers",
            field="workers",
            fix=f"a whole number from 1 to {MAX_WORKERS}, or empty for the default",
        )
    return int(raw)


def _progress(request: Request, ros: Any, matrix_id: str) -> dict[str, Any]:
    """The stored progress; for a matrix started here that has no row yet (or never got
    one), what the background run knows. ``active``: the page should keep following (the
    run writes the report and the ARA after its last cell)."""
    task = background(request).get(_key(matrix_id))
    try:
        found: dict[str, Any] = ros.matrix.status(matrix_id)
    except NotFound:
        if task is None:
            raise
        found = {
            "id": matrix_id,
            "name": task.info["name"],
            "status": "starting" if task.running else "failed",
            "cells_done": 0,
            "cells_total": task.info["cells"],
            "ara_slug": None,
            "error": task.error,
        }
    if task is not None and task.error and not found.get("error"):
        found["error"] = task.error
    found["active"] = found["status"] in ("starting", "running") or bool(task and task.running)
    text = f"{found['cells_done']} of {found['cells_total']} cells done"
    if found["active"] and found["status"] == "finished":
        text += "; writing the report"
    return {**found, "done": found["cells_done"], "total": found["cells_total"], "text": text}


@router.get("/compare")
def compare(
    request: Request,
    ros: Ros,
    _: Viewer,
    a: Annotated[str, Query(min_length=1, max_length=100)],
    b: Annotated[str, Query(min_length=1, max_length=100)],
) -> Response:
    """B − A per fixture/condition/agent and metric (``researchos matrix compare A B``)."""
    result = ros.matrix.compare(a, b)
    names = {m: ros.matrix.status(m)["name"] for m in (result["a"], result["b"])}
    return render(request, "matrix_compare.html", section="matrices", result=result, names=names)


@router.get("/{matrix_id}/progress")
def progress(matrix_id: str, request: Request, ros: Ros, _: Viewer) -> JSONResponse:
    """Polled by the matrix page while the matrix runs."""
    return JSONResponse(_progress(request, ros, matrix_id))


@router.get("/{matrix_id}")
def matrix(matrix_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    shown = _progress(request, ros, matrix_id)
    report = ros.matrix.matrix_dir(shown["id"]) / "report.md"
    base = f"/matrices/{shown['id']}/files/"
    html = (
        render_markdown(report.read_text("utf-8"), Links(base=".", files=base, images=base))
        if report.is_file()
        else None
    )
    return render(
        request,
        "matrix.html",
        section="matrices",
        matrix=shown,
        report=html,
        live=shown["active"],
    )


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
