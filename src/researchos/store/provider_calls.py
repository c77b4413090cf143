"""The routing record of every model call, and the usage report built from it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from researchos.store.provider_tables import ProviderCallRow


def record_call(
    session: Session, *, routing: Mapping[str, Any], project: str | None, ara: str | None
) -> int:
    """Store one call from its provider_routing blob (see providers.router); returns the id."""
    usage = routing["usage"]
    row = ProviderCallRow(
        at=datetime.now(UTC),
        project=project,
        ara=ara,
        phase=routing["phase"],
        tier=routing["tier"],
        provider=routing["provider"],
        requested_model=routing["requested_model"],
        wire_model=routing["wire_model"],
        run_mode=routing["run_mode"],
        outcome=routing["outcome"],
        input_tokens=usage["input_tokens"],
        output_tokens=usage["output_tokens"],
        latency_ms=routing["latency_ms"],
        cost_usd=routing["cost_usd"],
        mock=routing["mock"],
        routing=dict(routing),
    )
    session.add(row)
    session.flush()
    return row.id


_SUMS = (
    func.count(),
    func.sum(ProviderCallRow.input_tokens),
    func.sum(ProviderCallRow.output_tokens),
    func.sum(ProviderCallRow.cost_usd),
    func.sum(case((ProviderCallRow.mock, 1), else_=0)),
)


def _row(key: Any, calls: int, tin: Any, tout: Any, cost: Any, mocks: Any) -> dict[str, Any]:
    return {
        "key": key if key is not None else "(none)",
        "calls": int(calls or 0),
        "input_tokens": int(tin or 0),
        "output_tokens": int(tout or 0),
        "cost_usd": round(float(cost or 0.0), 6),
        "mock_calls": int(mocks or 0),
    }


def _grouped(session: Session, column: Any, filters: list[Any]) -> list[dict[str, Any]]:
    query = select(column, *_SUMS).where(*filters).group_by(column).order_by(column)
    return [_row(*values) for values in session.execute(query)]


def usage_report(
    session: Session, *, project: str | None = None, since: datetime | None = None
) -> dict[str, Any]:
    """Calls, tokens and estimated cost grouped by project, phase and tier, plus totals."""
    filters: list[Any] = []
    if project is not None:
        filters.append(ProviderCallRow.project == project)
    if since is not None:
        filters.append(ProviderCallRow.at >= since)
    totals = session.execute(select(*_SUMS).select_from(ProviderCallRow).where(*filters)).one()
    failures = session.scalar(
        select(func.count())
        .select_from(ProviderCallRow)
        .where(*filters, ProviderCallRow.outcome != "ok")
    )
    return {
        "totals": _row("all", *totals),
        "failed_calls": int(failures or 0),
        "by_project": _grouped(session, ProviderCallRow.project, filters),
        "by_phase": _grouped(session, ProviderCallRow.phase, filters),
        "by_tier": _grouped(session, ProviderCallRow.tier, filters),
    }


_COLUMNS = [column.key for column in ProviderCallRow.__table__.columns]


def recent_calls(session: Session, *, limit: int = 20) -> list[dict[str, Any]]:
    query = select(ProviderCallRow).order_by(ProviderCallRow.id.desc()).limit(limit)
    return [{name: getattr(row, name) for name in _COLUMNS} for row in session.scalars(query)]
