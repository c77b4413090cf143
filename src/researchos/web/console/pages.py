"""Rendering console pages: one Jinja2 environment (autoescaped), shared context, errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from researchos import __version__
from researchos.errors import ResearchOSError
from researchos.landscape.index import number_text
from researchos.store import approvals as approval_store
from researchos.web.auth import CSRF_FIELD, csrf_token
from researchos.web.console.session import has_session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

# ?notice=<key> after a redirect; a fixed list so no text from the URL reaches the page
NOTICES = {
    "created": "Project created.",
    "started": "Run started. Progress appears below as it happens.",
    "redo": "Stages reset; start the run to do them again.",
    "budget": "Budget updated.",
    "issue": "Review issue updated.",
    "approved": "Approved.",
    "rejected": "Rejected.",
    "changes_requested": "Changes requested.",
    "logged_out": "You are logged out.",
    "key_stored": "Key stored in the encrypted secret store.",
    "tested": "Provider tested.",
    "metrics": "Metrics collected and system/metrics-report.md written.",
    "frozen": "Package frozen and signed.",
    "knowledge_synced": "Knowledge pages generated or refreshed from every ARA.",
    "knowledge_reviewed": "Review recorded.",
    "seal_started": "Seal started; it runs in the background and this page follows it.",
    "matrix_started": "Matrix started; it runs in the background and this page follows it.",
    "landscape_merged": "Merged into the landscape.",
    "landscape_rejected": "Proposal rejected; it is kept under proposals/decided/.",
    "landscape_proposed": "Proposed for the landscape; a person merges or rejects it below.",
    "landscape_retracted": "Entry retracted; it can never be promoted again.",
    "landscape_expired": "Hypotheses without new evidence for too long were retracted.",
}


def when(value: Any) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM UTC' (ISO strings and datetimes alike)."""
    if value in (None, ""):
        return "—"
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def size(value: int | None) -> str:
    if value is None:
        return "—"
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return str(value)


def pretty(value: Any) -> str:
    """Structured values as compact YAML (short lists stay on one line)."""
    if isinstance(value, str):
        return value
    text = yaml.safe_dump(value, default_flow_style=None, sort_keys=False, width=90)
    return text.removesuffix("\n...\n").rstrip("\n")


def number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if value.is_integer() or abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def delivery(value: str | None) -> str:
    """Where approval mail went, without this machine's paths."""
    if not value:
        return "—"
    return value if value.startswith("smtp:") else f"var/outbox/{Path(value).name}"


templates.env.filters.update(
    when=when, size=size, pretty=pretty, number=number, delivery=delivery, headline=number_text
)


def _pending_count(ros: Any) -> int:
    with ros.database.session() as session:
        return len(approval_store.list_approvals(session, status="pending"))


def render(
    request: Request, template: str, *, section: str = "", status_code: int = 200, **context: Any
) -> HTMLResponse:
    ros = request.app.state.ros
    notice = NOTICES.get(request.query_params.get("notice", ""))
    base = {
        "section": section,
        "run_mode": ros.run_mode,
        "version": __version__,
        "csrf_field": CSRF_FIELD,
        "csrf": csrf_token(request),
        "pending_approvals": _pending_count(ros),
        "notice": notice,
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def redirect(path: str, notice: str | None = None) -> RedirectResponse:
    """After a POST: see the result with GET (303), with an optional fixed notice."""
    if notice:
        path, _, fragment = path.partition("#")
        path = f"{path}{'&' if '?' in path else '?'}notice={notice}"
        path += f"#{fragment}" if fragment else ""
    return RedirectResponse(path, status_code=303)


def error_page(request: Request, exc: ResearchOSError) -> HTMLResponse:
    try:
        return render(
            request,
            "error.html",
            error=exc,
            logged_in=has_session(request),
            status_code=exc.status,
        )
    except Exception:  # the store itself may be what failed; still answer with a page
        return HTMLResponse(
            "<!doctype html><title>Error</title><h1>Error</h1><p>The console could not "
            "render this page; see the server log.</p>",
            status_code=exc.status,
        )
