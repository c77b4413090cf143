"""The stage engine: ordering, resume after failure, human gates and their decisions."""

from pathlib import Path

import pytest

from researchos.errors import BudgetExceeded, Conflict, InputError
from researchos.pipeline import approvals, budget, issues
from researchos.pipeline.engine import redo_from, run_project
from researchos.pipeline.issues import Finding
from researchos.pipeline.projects import create_project
from researchos.pipeline.stages import StageDef
from researchos.store import projects as store

BRIEF = "Does standardising features change classifier accuracy on small tabular datasets?"


def toy_stages(calls: list[str], fail_once: set[str] | None = None) -> list[StageDef]:
    fail_once = set(fail_once or ())

    def make(name: str):
        def func(ctx):
            calls.append(name)
            if name in fail_once:
                fail_once.discard(name)
                raise RuntimeError(f"{name} crashed")
            return {"summary": f"{name} done", "seen": sorted(ctx.outputs)}

        return func

    return [
        StageDef("ideas", 10, make("ideas")),
        StageDef("funnel", 20, make("funnel"), gate_after="post_shortlist"),
        StageDef("specs", 30, make("specs")),
        StageDef("review", 90, make("review"), gate_after="pre_package_freeze"),
        StageDef("package", 100, make("package")),
    ]


def status(app, project_id):
    with app.database.session() as session:
        return store.get_project(session, project_id=project_id)


def test_stages_run_in_order_and_pass_outputs(app):
    project = create_project(app, brief=BRIEF)
    calls: list[str] = []
    outcome = run_project(app, project.id, stages=toy_stages(calls))
    assert outcome.status == "completed"
    assert calls == ["ideas", "funnel", "specs", "review", "package"]
    with app.database.session() as session:
        states = store.stage_states(session, project_id=project.id)
    assert states["package"].output["seen"] == ["funnel", "ideas", "review", "specs"]
    assert status(app, project.id).status == "completed"


def test_a_failed_stage_resumes_without_redoing_finished_work(app):
    project = create_project(app, brief=BRIEF)
    calls: list[str] = []
    stages = toy_stages(calls, fail_once={"specs"})
    first = run_project(app, project.id, stages=stages)
    assert first.status == "failed" and "specs crashed" in first.error
    assert status(app, project.id).status == "failed"
    second = run_project(app, project.id, stages=stages)
    assert second.status == "completed"
    assert calls == ["ideas", "funnel", "specs", "specs", "review", "package"]


def test_hitl_gate_stops_mails_and_resumes_after_approval(app):
    project = create_project(app, brief=BRIEF, hitl=True)
    calls: list[str] = []
    stages = toy_stages(calls)
    outcome = run_project(app, project.id, stages=stages)
    assert outcome.status == "waiting_approval"
    assert calls == ["ideas", "funnel"]
    pending = approvals.pending_for_project(app, project_id=project.id)
    assert [a.gate for a in pending] == ["post_shortlist"]
    mail = Path(pending[0].delivery)
    assert mail.parent == app.workspace.outbox_dir and mail.exists()
    text = mail.read_text()
    assert f"researchos approvals approve {pending[0].id}" in text
    with pytest.raises(Conflict, match="pending"):
        run_project(app, project.id, stages=stages)
    approvals.decide(app, approval_id=pending[0].id, decision="approve")
    outcome = run_project(app, project.id, stages=stages)
    assert outcome.status == "waiting_approval"
    assert "pre_package_freeze" in outcome.waiting_for
    gate = approvals.pending_for_project(app, project_id=project.id)[0]
    approvals.decide(app, approval_id=gate.id, decision="approve")
    assert run_project(app, project.id, stages=stages).status == "completed"
    assert calls == ["ideas", "funnel", "specs", "review", "package"]


def test_rejection_blocks_until_the_gated_stage_is_redone(app):
    project = create_project(app, brief=BRIEF, hitl=True)
    calls: list[str] = []
    stages = toy_stages(calls)
    run_project(app, project.id, stages=stages)
    gate = approvals.pending_for_project(app, project_id=project.id)[0]
    with pytest.raises(InputError, match="reason"):
        approvals.decide(app, approval_id=gate.id, decision="request-changes")
    approvals.decide(
        app,
        approval_id=gate.id,
        decision="request-changes",
        reason="drop idea 3, it duplicates prior work",
    )
    blocked = run_project(app, project.id, stages=stages)
    assert blocked.status == "blocked" and "changes requested" in blocked.waiting_for
    assert status(app, project.id).status == "blocked"
    with pytest.raises(Conflict, match="already changes_requested"):
        approvals.decide(app, approval_id=gate.id, decision="approve")
    redo_from(app, project.id, "funnel", stages=stages)
    again = run_project(app, project.id, stages=stages)
    assert again.status == "waiting_approval"
    assert calls == ["ideas", "funnel", "funnel"]


def test_gates_survive_a_restart(app, clean_env):
    from researchos.app import build_app
    from researchos.settings import load_settings

    project = create_project(app, brief=BRIEF, hitl=True)
    run_project(app, project.id, stages=toy_stages([]))
    app.close()
    fresh = build_app(load_settings())
    pending = approvals.pending_for_project(fresh, project_id=project.id)
    assert [a.gate for a in pending] == ["post_shortlist"]
    with pytest.raises(Conflict):
        run_project(fresh, project.id, stages=toy_stages([]))


def test_budget_precheck_refuses_with_402(app):
    project = create_project(app, brief=BRIEF, options={"budget_cpu_s": 10})
    budget.charge(app, project_id=project.id, resource="cpu_s", amount=8, note="run 1")
    with pytest.raises(BudgetExceeded) as info:
        budget.precheck(
            app, project_id=project.id, resource="cpu_s", estimate=5, what="run of spec S1"
        )
    assert info.value.status == 402 and "2 of 10" in str(info.value)
    budget.set_limit(app, project_id=project.id, resource="cpu_s", amount=100)
    budget.precheck(app, project_id=project.id, resource="cpu_s", estimate=5, what="run")


def test_review_issue_states_and_freeze_blockers(app):
    project = create_project(app, brief=BRIEF)
    found = [
        Finding("P1", "alignment", "number 0.97 not supported", "views/paper.md:L4"),
        Finding("P2", "model", "limitations section is thin"),
        Finding("P3", "model", "typo in title"),
    ]
    recorded = issues.record_findings(app, project_id=project.id, findings=found)
    assert [i.status for i in recorded] == ["open", "open", "open"]
    assert len(issues.freeze_blockers(app, project_id=project.id)) == 2
    with pytest.raises(Conflict, match="cannot be waived"):
        issues.change(
            app, project_id=project.id, issue_id=recorded[0].issue_id, status="waived", reason="meh"
        )
    issues.change(
        app,
        project_id=project.id,
        issue_id=recorded[1].issue_id,
        status="waived",
        reason="acceptable for an internal report",
    )
    issues.resolve_missing(
        app, project_id=project.id, findings=found[1:], sources={"alignment", "model"}
    )
    blockers = issues.freeze_blockers(app, project_id=project.id)
    assert len(blockers) == 1 and "waived" in blockers[0]
    assert issues.freeze_blockers(app, project_id=project.id, allow_waived_p2=True) == []
    again = issues.record_findings(app, project_id=project.id, findings=found[:1])
    assert again[0].status == "reopened"
    assert [h["status"] for h in again[0].history] == ["open", "resolved", "reopened"]


def test_only_one_run_of_a_project_at_a_time(app):
    project = create_project(app, brief=BRIEF)
    from researchos.history.locks import named_lock

    lock = named_lock(app.workspace.locks_dir, f"project-{project.id}")
    with lock, pytest.raises(Conflict, match="already running"):
        run_project(app, project.id, stages=toy_stages([]))
