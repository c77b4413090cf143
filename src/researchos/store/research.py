"""Data access for a project's ideas, funnel decisions, specs and experiment runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from researchos.store.pipeline_tables import (
    ExperimentRunRow,
    FunnelDecisionRow,
    IdeaRow,
    SpecRow,
)
from researchos.store.projects import now


def _plain(obj: Any) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in obj.__dict__.items()
        if not k.startswith("_")
    }


@dataclass(frozen=True)
class Idea:
    idea_id: str
    title: str
    payload: dict[str, Any]
    scores: dict[str, Any]
    rank: int
    stage_reached: str
    decision: str
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class Spec:
    spec_id: str
    idea_id: str
    payload: dict[str, Any]
    sha256: str
    registered_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class ExperimentRun:
    spec_id: str
    condition: str
    seed: int
    phase: str
    attempt: int
    run_id: str | None
    result_class: str
    metrics_path: str | None
    metrics_sha256: str | None
    cpu_s: float
    error: str | None
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


def replace_ideas(session: Session, *, project_id: str, ideas: list[dict[str, Any]]) -> None:
    session.execute(delete(IdeaRow).where(IdeaRow.project_id == project_id))
    for idea in ideas:
        session.add(
            IdeaRow(
                project_id=project_id,
                idea_id=idea["idea_id"],
                title=idea["title"],
                payload=idea["payload"],
                scores=idea["scores"],
                rank=idea["rank"],
                stage_reached="S0",
                decision="pending",
            )
        )
    session.flush()


def list_ideas(session: Session, *, project_id: str) -> list[Idea]:
    rows = session.scalars(
        select(IdeaRow).where(IdeaRow.project_id == project_id).order_by(IdeaRow.rank)
    )
    return [
        Idea(
            idea_id=r.idea_id,
            title=r.title,
            payload=dict(r.payload),
            scores=dict(r.scores),
            rank=r.rank,
            stage_reached=r.stage_reached,
            decision=r.decision,
            reason=r.reason,
        )
        for r in rows
    ]


def record_funnel_decision(
    session: Session,
    *,
    project_id: str,
    idea_id: str,
    stage: str,
    decision: str,
    reason: str,
    scores: dict[str, Any],
) -> None:
    session.add(
        FunnelDecisionRow(
            project_id=project_id,
            idea_id=idea_id,
            stage=stage,
            decision=decision,
            reason=reason,
            scores=scores,
            at=now(),
        )
    )
    row = session.get(IdeaRow, (project_id, idea_id))
    if row is not None:
        row.stage_reached = stage
        row.decision = (
            "rejected"
            if decision == "reject"
            else ("shortlisted" if stage == "S4" else "advancing")
        )
        row.reason = reason
    session.flush()


def clear_funnel(session: Session, *, project_id: str) -> None:
    session.execute(delete(FunnelDecisionRow).where(FunnelDecisionRow.project_id == project_id))


def funnel_log(session: Session, *, project_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(FunnelDecisionRow)
        .where(FunnelDecisionRow.project_id == project_id)
        .order_by(FunnelDecisionRow.id)
    )
    return [
        {
            "idea_id": r.idea_id,
            "stage": r.stage,
            "decision": r.decision,
            "reason": r.reason,
            "scores": r.scores,
            "at": r.at.isoformat(),
        }
        for r in rows
    ]


def upsert_spec(
    session: Session,
    *,
    project_id: str,
    spec_id: str,
    idea_id: str,
    payload: dict[str, Any],
    sha256: str,
) -> Spec:
    row = session.get(SpecRow, (project_id, spec_id))
    if row is None:
        row = SpecRow(
            project_id=project_id,
            spec_id=spec_id,
            idea_id=idea_id,
            payload=payload,
            sha256=sha256,
            registered_at=now(),
        )
        session.add(row)
    session.flush()
    return Spec(
        spec_id=row.spec_id,
        idea_id=row.idea_id,
        payload=dict(row.payload),
        sha256=row.sha256,
        registered_at=row.registered_at,
    )


def list_specs(session: Session, *, project_id: str) -> list[Spec]:
    rows = session.scalars(
        select(SpecRow).where(SpecRow.project_id == project_id).order_by(SpecRow.spec_id)
    )
    return [
        Spec(
            spec_id=r.spec_id,
            idea_id=r.idea_id,
            payload=dict(r.payload),
            sha256=r.sha256,
            registered_at=r.registered_at,
        )
        for r in rows
    ]


def record_run(
    session: Session,
    *,
    project_id: str,
    spec_id: str,
    condition: str,
    seed: int,
    phase: str,
    attempt: int,
    run_id: str | None,
    result_class: str,
    metrics_path: str | None,
    metrics_sha256: str | None,
    cpu_s: float,
    error: str | None,
) -> None:
    session.add(
        ExperimentRunRow(
            project_id=project_id,
            spec_id=spec_id,
            condition=condition,
            seed=seed,
            phase=phase,
            attempt=attempt,
            run_id=run_id,
            result_class=result_class,
            metrics_path=metrics_path,
            metrics_sha256=metrics_sha256,
            cpu_s=cpu_s,
            error=error,
            at=now(),
        )
    )
    session.flush()


def list_runs(
    session: Session, *, project_id: str, spec_id: str | None = None
) -> list[ExperimentRun]:
    query = select(ExperimentRunRow).where(ExperimentRunRow.project_id == project_id)
    if spec_id:
        query = query.where(ExperimentRunRow.spec_id == spec_id)
    rows = session.scalars(query.order_by(ExperimentRunRow.id))
    return [
        ExperimentRun(
            spec_id=r.spec_id,
            condition=r.condition,
            seed=r.seed,
            phase=r.phase,
            attempt=r.attempt,
            run_id=r.run_id,
            result_class=r.result_class,
            metrics_path=r.metrics_path,
            metrics_sha256=r.metrics_sha256,
            cpu_s=r.cpu_s,
            error=r.error,
            at=r.at,
        )
        for r in rows
    ]
