"""Seal from the ARA page: the chosen levels run in the background through SealService (as
``researchos seal``), the page follows the current check and then shows the new seal block."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from researchos.errors import InputError
from researchos.seal.registry import LEVELS
from researchos.web.console.background import Task, background
from researchos.web.console.pages import redirect
from researchos.web.console.session import CsrfChecked, Viewer
from researchos.web.deps import Ros

router = APIRouter(prefix="/aras", include_in_schema=False)


def key(slug: str) -> str:
    return f"seal:{slug}"


def _levels(raw: list[str]) -> list[int]:
    chosen = sorted({int(v) for v in raw if v.isdigit() and int(v) in LEVELS})
    if not chosen or len(chosen) != len(set(raw)):
        raise InputError(
            "choose at least one seal level", field="level", fix="tick L1, L2 and/or L3"
        )
    return chosen


@router.post("/{slug}/seal")
def start_seal(
    slug: str,
    request: Request,
    ros: Ros,
    _: Viewer,
    __: CsrfChecked,
    level: Annotated[list[str] | None, Form()] = None,
    all_levels: Annotated[bool, Form()] = False,
) -> Response:
    ros.aras.paths(slug)  # an unknown ARA is a 404 now, not a failed task later
    levels = _levels(level or [])

    def work(task: Task) -> None:
        def step(number: int, check: Any) -> None:
            task.note = f"L{number} {check.name}"

        report = ros.seal.seal(slug, levels=levels, all_levels=all_levels, progress=step)
        task.info["report"] = report.to_dict()

    background(request).start(key(slug), work, group=key(slug), info={"levels": levels})
    return redirect(f"/aras/{slug}#h-seal", "seal_started")


def seal_state(request: Request, slug: str) -> dict[str, Any] | None:
    """What the ARA page shows of the seal this server ran last (None: none yet)."""
    task = background(request).get(key(slug))
    if task is None:
        return None
    levels = ", ".join(f"L{n}" for n in task.info["levels"])
    report = task.info.get("report")
    if task.running:
        status, text = "running", f"Sealing ({levels}): {task.note or 'starting'}"
    elif task.error:
        status, text = "failed", f"The seal could not run: {task.error}"
    else:
        status = report["status"] if report else "done"
        passed = "every level passed" if report and report["passed"] else "a level failed"
        text = f"Seal of {levels} done: {passed}; ARA status {status}."
    return {"active": task.running, "status": status, "text": text, "report": report}


@router.get("/{slug}/seal/progress")
def seal_progress(slug: str, request: Request, ros: Ros, _: Viewer) -> JSONResponse:
    """Polled by the ARA page while its seal runs."""
    ros.aras.paths(slug)
    state = seal_state(request, slug) or {"active": False, "status": "none", "text": ""}
    return JSONResponse({k: v for k, v in state.items() if k != "report"})
