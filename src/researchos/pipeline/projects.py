"""Creating projects from a research brief (and optional background archive)."""

from __future__ import annotations

import hashlib
import secrets
import shutil
from pathlib import Path
from typing import Any

from researchos.artifacts.models import AraProvenance, slugify
from researchos.errors import InputError
from researchos.pipeline.background import extract_background, index_background
from researchos.store import audit, budget
from researchos.store import projects as store
from researchos.store.projects import Project

MAX_BRIEF_CHARS = 100_000
MODES = ("mock", "smoke", "production")
DEFAULT_OPTIONS: dict[str, Any] = {
    "ideas": 50,  # S0 intake; the funnel keeps 20 / 10 / 5 / 1
    "funnel_targets": [50, 20, 10, 5, 1],
    "seeds": 5,
    "repair_attempts": 3,
    "budget_cpu_s": 3600.0,
    "budget_tokens": 2_000_000,
}


def validate_brief(text: str, *, source: str = "brief") -> str:
    stripped = text.strip()
    if not stripped:
        raise InputError(
            "the brief is empty",
            file=source,
            fix="describe the research question in a few sentences",
        )
    if len(stripped) > MAX_BRIEF_CHARS:
        raise InputError(
            f"the brief has {len(stripped):,} characters; the limit is {MAX_BRIEF_CHARS:,}",
            file=source,
            fix="put long material in a --background ZIP and keep the brief short",
        )
    if len(stripped) < 20:
        raise InputError(
            "the brief is too short to act on (under 20 characters)",
            file=source,
            fix="state the question, the setting and what would count as an answer",
        )
    return stripped


def project_dir(app, project_id: str) -> Path:
    return app.workspace.var_dir / "projects" / project_id


def _title(brief: str) -> str:
    first = brief.strip().splitlines()[0].lstrip("# ").strip()
    return first[:80] or "Untitled project"


def create_project(
    app,
    *,
    brief: str,
    title: str | None = None,
    background: Path | None = None,
    hitl: bool = False,
    mode: str = "mock",
    options: dict[str, Any] | None = None,
) -> Project:
    """Register a project, create its ARA and unpack its background material."""
    brief = validate_brief(brief)
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}", field="mode", fix=f"use {', '.join(MODES)}")
    title = (title or _title(brief)).strip()
    project_id = f"{slugify(title)[:40].rstrip('-')}-{secrets.token_hex(2)}"
    merged = {**DEFAULT_OPTIONS, **(options or {})}
    workdir = project_dir(app, project_id)
    try:
        if background is not None:
            extract_background(background, workdir / "background")
            merged["background_chunks"] = index_background(
                workdir / "background", workdir / "background-index.json"
            )
            merged["background_name"] = background.name
        return _register(app, project_id, title, brief, mode, hitl, merged)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _register(
    app, project_id: str, title: str, brief: str, mode: str, hitl: bool, merged: dict[str, Any]
) -> Project:
    app.aras.create(
        title=title,
        slug=project_id,
        mode=mode,
        description=brief[:500],
        provenance=AraProvenance(
            source="pipeline", created_by=app.actor, project=project_id, origin="brief"
        ),
    )
    app.aras.write_files(
        project_id,
        {"views/brief.md": brief + "\n"},
        event="project.brief",
        summary="record the research brief",
    )
    with app.database.session() as session:
        project = store.insert_project(
            session,
            id=project_id,
            title=title,
            brief=brief,
            brief_sha256=hashlib.sha256(brief.encode()).hexdigest(),
            mode=mode,
            hitl=hitl,
            ara_slug=project_id,
            options=merged,
        )
        budget.add_entry(
            session,
            project_id=project_id,
            kind="limit",
            resource="cpu_s",
            amount=merged["budget_cpu_s"],
            note="initial limit",
        )
        budget.add_entry(
            session,
            project_id=project_id,
            kind="limit",
            resource="tokens",
            amount=merged["budget_tokens"],
            note="initial limit",
        )
        audit.record(
            session,
            actor=app.actor,
            action="project.create",
            target=project_id,
            payload={"mode": mode, "hitl": hitl},
        )
    return project
