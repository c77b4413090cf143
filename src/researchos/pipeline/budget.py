"""The project budget: a pre-check refuses work that would overrun it (402), charges record
what was really used."""

from __future__ import annotations

from researchos.errors import BudgetExceeded
from researchos.store import budget as store

RESOURCES = {"cpu_s": "CPU seconds", "tokens": "model tokens"}


def precheck(app, *, project_id: str, resource: str, estimate: float, what: str) -> None:
    """Refuse ``what`` when its estimated cost would exceed the remaining budget."""
    with app.database.session() as session:
        line = store.budget_line(session, project_id=project_id, resource=resource)
    if line.remaining is not None and estimate > line.remaining:
        raise BudgetExceeded(
            f"{what} needs about {estimate:,.0f} {RESOURCES.get(resource, resource)} but only "
            f"{max(line.remaining, 0):,.0f} of {line.limit:,.0f} remain",
            fix=f"raise the limit with `researchos project budget {project_id} --{resource} N`",
        )


def charge(app, *, project_id: str, resource: str, amount: float, note: str) -> None:
    with app.database.session() as session:
        store.add_entry(
            session,
            project_id=project_id,
            kind="charge",
            resource=resource,
            amount=amount,
            note=note,
        )


def set_limit(app, *, project_id: str, resource: str, amount: float) -> None:
    with app.database.session() as session:
        store.add_entry(
            session,
            project_id=project_id,
            kind="limit",
            resource=resource,
            amount=amount,
            note="set by user",
        )


def summary(app, *, project_id: str) -> dict[str, dict[str, float | None]]:
    with app.database.session() as session:
        lines = [store.budget_line(session, project_id=project_id, resource=r) for r in RESOURCES]
    return {
        line.resource: {"limit": line.limit, "spent": line.spent, "remaining": line.remaining}
        for line in lines
    }
