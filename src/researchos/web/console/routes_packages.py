"""Packages of an ARA: the list, downloads, and offline verification of a listed or an
uploaded ZIP (the report is shown as the CLI's `researchos package verify` would print it)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response

from researchos.errors import InputError, NotFound
from researchos.pipeline import approvals, issues
from researchos.store import projects as project_store
from researchos.web.console.pages import redirect, render
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.console.uploads import chosen, save_upload
from researchos.web.deps import Ros

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 4 << 30


def _listed(ros: Any, slug: str, name: str) -> Any:
    for info in ros.packages.list(slug):
        if info.name == name and info.zip:
            return info
    raise NotFound(f"ARA {slug!r} has no package {name!r} on disk")


@router.get("/projects/{project_id}/package")
def project_package(project_id: str, request: Request, ros: Ros, _: Viewer) -> Response:
    with ros.database.session() as session:
        project = project_store.get_project(session, project_id=project_id)
    pending = approvals.pending_for_project(ros, project_id=project_id)
    blockers = issues.freeze_blockers(ros, project_id=project_id) + [
        f"approval {a.id} for gate {a.gate} is pending" for a in pending
    ]
    return render(
        request,
        "project_package.html",
        section="projects",
        tab="package",
        project=project,
        running=request.app.state.jobs.running(project_id),
        slug=project.ara_slug,
        blockers=blockers,
        packages=ros.packages.list(project.ara_slug),
        key=ros.packages.public_key(),
    )


@router.get("/aras/{slug}/packages")
def ara_packages(slug: str, request: Request, ros: Ros, _: Viewer) -> Response:
    return render(
        request,
        "ara_packages.html",
        section="aras",
        tab="packages",
        ara=ros.aras.get(slug),
        slug=slug,
        packages=ros.packages.list(slug),
        key=ros.packages.public_key(),
    )


@router.post("/aras/{slug}/packages/freeze")
def freeze(slug: str, ros: Ros, _: Viewer, __: CsrfChecked) -> Response:
    """The next signed package version (``researchos package freeze``)."""
    ros.packages.freeze(slug)
    return redirect(f"/aras/{slug}/packages", "frozen")


@router.get("/aras/{slug}/packages/{name}.zip")
def download(slug: str, name: str, ros: Ros, _: Viewer) -> FileResponse:
    info = _listed(ros, slug, name)
    return FileResponse(
        ros.workspace.root / info.zip, media_type="application/zip", filename=f"{name}.zip"
    )


@router.post("/aras/{slug}/packages/verify")
async def verify(
    slug: str,
    request: Request,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    name: Annotated[str, Form()] = "",
    trusted_key: Annotated[str, Form()] = "",
    package: Annotated[UploadFile | None, File()] = None,
) -> Response:
    ros.aras.paths(slug)
    upload = chosen(package)
    with tempfile.TemporaryDirectory() as tmp:
        if upload is not None:
            path = await save_upload(
                upload, Path(tmp) / "package.zip", limit=MAX_UPLOAD, field="package"
            )
            shown = Path(upload.filename or "package.zip").name
        elif name:
            path, shown = ros.workspace.root / _listed(ros, slug, name).zip, f"{name}.zip"
        else:
            raise InputError("choose a package or upload a ZIP", field="package")
        report = await to_thread.run_sync(
            lambda: ros.packages.verify(path, trusted_key=trusted_key.strip() or None)
        )
    report.path = shown  # the temporary path means nothing to the reader
    return render(
        request,
        "verify_report.html",
        section="aras",
        ara=ros.aras.get(slug),
        slug=slug,
        tab="packages",
        report=report,
    )
