"""Runs a project's stages in order, resumably, stopping at human gates.

Every transition is written to the store before and after a stage runs, so a crash at any
point (kill -9 included) leaves a state from which ``run_project`` continues: finished stages
are skipped, a stage caught ``running`` is run again (stages are idempotent), and a gate that
is waiting stays waiting.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from filelock import Timeout

from researchos.errors import Conflict, ResearchOSError
from researchos.history.locks import named_lock
from researchos.pipeline import approvals
from researchos.pipeline.stages import StageContext, StageDef, ordered_stages
from researchos.store import audit
from researchos.store import projects as store

log = logging.getLogger(__name__)
Progress = Callable[[str, str, float | None], None]
BLOCKING_DECISIONS = ("rejected", "changes_requested", "expired")


@dataclass
class RunOutcome:
    project_id: str
    status: str
    stages_run: list[str] = field(default_factory=list)
    waiting_for: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _set_status(app, project_id: str, status: str, error: str | None = None) -> None:
    with app.database.session() as session:
        store.set_project_status(session, project_id=project_id, status=status, error=error)


def _gate_blocks(app, project_id: str, gate: str) -> tuple[bool, str | None]:
    """(stop here?, why) for a gate after a finished stage of a HITL project."""
    latest = approvals.latest_for_gate(app, project_id=project_id, gate=gate)
    if latest is None:
        return True, None
    if latest.status == "approved":
        return False, None
    if latest.status == "pending":
        return True, f"approval {latest.id} for gate {gate} is pending"
    return True, (
        f"gate {gate} was {latest.status.replace('_', ' ')}: {latest.reason}; redo "
        f"the gated stage with `researchos run {project_id} --redo STAGE`"
    )


def run_project(
    app,
    project_id: str,
    *,
    stages: Sequence[StageDef] | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    """Run the project's remaining stages; returns where it stopped and why."""
    lock = named_lock(app.workspace.locks_dir, f"project-{project_id}")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise Conflict(
            f"project {project_id} is already running", fix="wait for the other run to finish"
        ) from None
    try:
        return _run(app, project_id, list(stages or ordered_stages()), progress)
    finally:
        lock.release()


def check_can_run(app, project_id: str) -> None:
    """Raise Conflict (409) when the project may not run now (pending approval, canceled)."""
    _refuse_when_blocked(app, project_id)
    with app.database.session() as session:
        if store.get_project(session, project_id=project_id).status == "canceled":
            raise Conflict(f"project {project_id} was canceled")


def _refuse_when_blocked(app, project_id: str) -> None:
    pending = approvals.pending_for_project(app, project_id=project_id)
    if pending:
        raise Conflict(
            f"approval {pending[0].id} for gate {pending[0].gate} is pending",
            fix=f"decide it with `researchos approvals approve {pending[0].id}` "
            "(or reject / request-changes)",
        )


def _run(app, project_id: str, stages: list[StageDef], progress: Progress | None) -> RunOutcome:
    _refuse_when_blocked(app, project_id)
    with app.database.session() as session:
        project = store.get_project(session, project_id=project_id)
        states = store.stage_states(session, project_id=project_id)
    if project.status == "canceled":
        raise Conflict(f"project {project_id} was canceled")
    outcome = RunOutcome(project_id, "running")
    _set_status(app, project_id, "running")
    context = StageContext(
        app=app,
        project=project,
        outputs={n: s.output for n, s in states.items() if s.status == "done"},
    )
    for definition in stages:
        state = states.get(definition.name)
        done = state is not None and state.status == "done"
        if not done and not _execute(app, context, definition, outcome, progress):
            return outcome
        if definition.gate_after and project.hitl:
            stop, why = _gate_blocks(app, project_id, definition.gate_after)
            if stop:
                return _stop_at_gate(app, context, definition, outcome, why)
    _set_status(app, project_id, "completed")
    outcome.status = "completed"
    return outcome


def _execute(
    app, context: StageContext, definition: StageDef, outcome: RunOutcome, progress: Progress | None
) -> bool:
    project_id = context.project.id
    name = definition.name
    context.progress = (
        (lambda message, done: progress(name, message, done))
        if progress
        else (lambda message, done: None)
    )
    with app.database.session() as session:
        store.mark_stage(session, project_id=project_id, stage=name, status="running")
    context.report(f"{name}: started", 0.0)
    try:
        output = definition.func(context) or {}
    except ResearchOSError as exc:
        return _fail(app, project_id, name, outcome, str(exc))
    except Exception as exc:  # a bug in a stage must still leave a resumable state
        log.error("stage %s of %s crashed\n%s", name, project_id, traceback.format_exc())
        return _fail(app, project_id, name, outcome, f"{type(exc).__name__}: {exc}")
    with app.database.session() as session:
        store.mark_stage(session, project_id=project_id, stage=name, status="done", output=output)
        audit.record(
            session,
            actor=app.actor,
            action="stage.done",
            target=project_id,
            payload={"stage": name},
        )
    context.outputs[name] = output
    outcome.stages_run.append(name)
    context.report(f"{name}: done", 1.0)
    return True


def _fail(app, project_id: str, stage: str, outcome: RunOutcome, message: str) -> bool:
    with app.database.session() as session:
        store.mark_stage(
            session, project_id=project_id, stage=stage, status="failed", error=message
        )
    _set_status(app, project_id, "failed", error=f"{stage}: {message}")
    outcome.status, outcome.error = "failed", f"{stage}: {message}"
    return False


def _stop_at_gate(
    app, context: StageContext, definition: StageDef, outcome: RunOutcome, why: str | None
) -> RunOutcome:
    gate = definition.gate_after
    assert gate is not None
    project_id = context.project.id
    if why is None:  # first arrival at this gate: ask a person
        summary = context.outputs.get(definition.name, {}).get("summary") or (
            f"Stage {definition.name} finished; review its output before the pipeline continues."
        )
        created = approvals.request_approval(
            app, project_id=project_id, gate=gate, summary=str(summary)
        )
        why = f"approval {created.approval.id} for gate {gate} is pending"
        status = "waiting_approval"
    else:
        status = "waiting_approval" if "pending" in why else "blocked"
    _set_status(app, project_id, status, error=None if status == "waiting_approval" else why)
    outcome.status, outcome.waiting_for = status, why
    return outcome


def redo_from(
    app, project_id: str, stage_name: str, *, stages: Sequence[StageDef] | None = None
) -> list[str]:
    """Reset ``stage_name`` and every later stage to pending; returns the reset stages."""
    ordered = list(stages or ordered_stages())
    names = [s.name for s in ordered]
    if stage_name not in names:
        raise Conflict(f"unknown stage {stage_name!r}", fix=f"stages: {', '.join(names)}")
    reset = names[names.index(stage_name) :]
    with app.database.session() as session:
        for name in reset:
            store.mark_stage(
                session, project_id=project_id, stage=name, status="pending", output={}
            )
        store.set_project_status(session, project_id=project_id, status="created")
        audit.record(
            session,
            actor=app.actor,
            action="project.redo",
            target=project_id,
            payload={"from": stage_name},
        )
    for definition in ordered[names.index(stage_name) :]:
        if definition.gate_after:
            latest = approvals.latest_for_gate(
                app, project_id=project_id, gate=definition.gate_after
            )
            if latest is not None and latest.status in (*BLOCKING_DECISIONS, "approved"):
                _supersede(app, latest.id)
    return reset


def _supersede(app, approval_id: str) -> None:
    from researchos.store import approvals as approval_store

    with app.database.session() as session:
        approval_store.update_approval(session, approval_id=approval_id, status="superseded")
