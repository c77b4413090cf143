"""ARA routes: list, show, claims, traces, evidence files and history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from researchos.artifacts.validate import validate_ara
from researchos.files import safe_relative
from researchos.history.commits import read_log
from researchos.web.deps import Ros

router = APIRouter(prefix="/api/aras", tags=["aras"])


@router.get("")
def list_aras(ros: Ros) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json") for m in ros.aras.all()]


@router.get("/{slug}")
def get_ara(slug: str, ros: Ros) -> dict[str, Any]:
    return {
        "ara": ros.aras.get(slug).model_dump(mode="json"),
        "claims": [c.model_dump(mode="json") for c in ros.aras.claims(slug)],
        "traces": [t.model_dump(mode="json") for t in ros.aras.traces(slug)],
        "exploration": ros.aras.exploration(slug).model_dump(mode="json"),
    }


@router.get("/{slug}/claims/{claim_id}")
def get_claim(slug: str, claim_id: str, ros: Ros) -> dict[str, Any]:
    claim = ros.aras.claim(slug, claim_id)
    history = read_log(ros.workspace.git, ara=slug, claim=claim_id)
    return {"claim": claim.model_dump(mode="json"), "history": [h.to_dict() for h in history]}


@router.get("/{slug}/validate")
def validate(slug: str, ros: Ros) -> dict[str, Any]:
    return validate_ara(ros.aras.paths(slug).root).to_dict()


@router.get("/{slug}/log")
def log(slug: str, ros: Ros, limit: int = 100) -> list[dict[str, Any]]:
    ros.aras.paths(slug)
    return [h.to_dict() for h in read_log(ros.workspace.git, ara=slug, limit=limit)]


@router.get("/{slug}/files/{path:path}")
def file(slug: str, path: str, ros: Ros) -> FileResponse:
    """A file of the ARA (evidence, figures, code, views); paths may not leave the ARA."""
    root = ros.aras.paths(slug).root
    target = safe_relative(root, path, field="path")
    if not target.is_file():
        from researchos.errors import NotFound

        raise NotFound(f"ARA {slug!r} has no file {path!r}")
    return FileResponse(target)
