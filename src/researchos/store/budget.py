"""The budget ledger: limits and charges per project and resource."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from researchos.store.pipeline_tables import BudgetEntryRow
from researchos.store.projects import now


@dataclass(frozen=True)
class BudgetLine:
    resource: str
    limit: float | None
    spent: float

    @property
    def remaining(self) -> float | None:
        return None if self.limit is None else self.limit - self.spent


def add_entry(
    session: Session, *, project_id: str, kind: str, resource: str, amount: float, note: str = ""
) -> None:
    session.add(
        BudgetEntryRow(
            project_id=project_id,
            kind=kind,
            resource=resource,
            amount=float(amount),
            note=note,
            at=now(),
        )
    )
    session.flush()


def budget_line(session: Session, *, project_id: str, resource: str) -> BudgetLine:
    limit = session.scalars(
        select(BudgetEntryRow.amount)
        .where(
            BudgetEntryRow.project_id == project_id,
            BudgetEntryRow.resource == resource,
            BudgetEntryRow.kind == "limit",
        )
        .order_by(BudgetEntryRow.id.desc())
    ).first()
    spent = (
        session.scalar(
            select(func.coalesce(func.sum(BudgetEntryRow.amount), 0.0)).where(
                BudgetEntryRow.project_id == project_id,
                BudgetEntryRow.resource == resource,
                BudgetEntryRow.kind == "charge",
            )
        )
        or 0.0
    )
    return BudgetLine(resource=resource, limit=limit, spent=float(spent))


def ledger(session: Session, *, project_id: str) -> list[dict[str, object]]:
    rows = session.scalars(
        select(BudgetEntryRow)
        .where(BudgetEntryRow.project_id == project_id)
        .order_by(BudgetEntryRow.id)
    )
    return [
        {
            "kind": r.kind,
            "resource": r.resource,
            "amount": r.amount,
            "note": r.note,
            "at": r.at.isoformat(),
        }
        for r in rows
    ]
