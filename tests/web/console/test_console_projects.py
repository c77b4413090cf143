"""Projects in the browser: the wizard (with and without a background ZIP), live progress
over SSE, a human gate decided on the approvals page, review issues, and a run log that
follows itself."""

import zipfile

import pytest
from console_browser import login, shot

from researchos.pipeline import approvals
from researchos.pipeline.issues import Finding, record_findings
from researchos.pipeline.projects import create_project
from researchos.store import projects, research

pytestmark = pytest.mark.browser
BRIEF = "Compare k-NN with and without feature standardisation on the wine dataset."


def _project_id(page) -> str:
    return page.url.split("/projects/", 1)[1].split("?")[0].split("/")[0]


def _zip(tmp_path, members: dict[str, str], name: str = "background.zip"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


def test_wizard_creates_a_project_and_progress_arrives_live(page, server, probe_stage):
    probe = probe_stage()
    login(page, server, "/projects/new")
    page.locator("#brief").fill(BRIEF)
    page.locator("#title").fill("Scaling study")
    page.get_by_label("mock", exact=True).check()
    assert page.get_by_label("Start the run right away").is_checked()
    shot(page, "new-project")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url("**/projects/scaling-study-*")
    stage = page.locator('[data-stage="probe"]')
    stage.get_by_text("probe step 1/3").wait_for()
    page.evaluate("window.stillTheSamePage = true")
    probe.release.set()  # the rest of the run happens while the page is open
    page.locator("[data-log]").get_by_text("probe step 3/3").wait_for()
    page.locator("[data-run-status]").get_by_text("completed").wait_for()
    assert stage.locator("[data-stage-status]").inner_text() == "done"
    assert stage.locator("progress").evaluate("p => p.value") == 1
    assert page.evaluate("window.stillTheSamePage") is True  # no reload: it came over SSE
    page.get_by_role("link", name="Show the new results").click()
    assert page.locator('[data-stage="probe"] [data-stage-status]').inner_text() == "done"
    shot(page, "project-probe")
    with server.app.database.session() as session:
        (made,) = projects.list_projects(session)
    assert made.title == "Scaling study" and made.status == "completed" and not made.hitl


def test_wizard_with_background_zip_and_a_hostile_one(page, server, tmp_path):
    login(page, server, "/projects/new")
    page.locator("#brief").fill(BRIEF)
    page.get_by_label("Start the run right away").uncheck()
    hostile = _zip(tmp_path, {"../escape.txt": "x"}, "hostile.zip")
    page.get_by_label("Background ZIP").set_input_files(str(hostile))
    page.get_by_role("button", name="Create project").click()
    alert = page.get_by_role("alert")
    assert "not created" in alert.inner_text() and ".." in alert.inner_text()
    assert page.locator("#brief").input_value() == BRIEF  # the form keeps what was typed
    notes = _zip(tmp_path, {"notes/prior.md": "Standardisation helped k-NN before. " * 20})
    page.get_by_label("Background ZIP").set_input_files(str(notes))
    page.get_by_label("Human in the loop").check()
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url("**/projects/compare-*")
    assert "Project created." in page.get_by_role("status").first.inner_text()
    assert "background background.zip" in page.locator("#main").inner_text()
    with server.app.database.session() as session:
        (made,) = projects.list_projects(session)
    assert made.hitl and made.status == "created"
    extracted = server.app.workspace.var_dir / "projects" / made.id / "background"
    assert (extracted / "notes" / "prior.md").is_file()
    assert not (server.app.workspace.var_dir / "projects" / "escape.txt").exists()


def test_gate_stops_the_run_and_approval_in_the_browser_resumes_it(page, server, probe_stage):
    probe = probe_stage(gate_after="post_shortlist")
    probe.release.set()
    project = create_project(server.app, brief=BRIEF, hitl=True, mode="mock")
    login(page, server, f"/projects/{project.id}")
    page.get_by_role("button", name="Start run").click()
    page.locator("[data-run-status]").get_by_text("waiting approval").wait_for()
    page.reload()  # the gate may be reached before or after the page loads
    assert page.get_by_text("Waiting for approval post shortlist").is_visible()
    assert page.get_by_role("button", name="Resume run").is_disabled()
    page.get_by_role("link", name="Decide it").click()
    card = page.locator("article.approval")
    assert "The probe stage ran" in card.inner_text()
    shot(page, "approvals", docs=True)
    card.get_by_role("button", name="Reject").click()  # without the required reason
    assert page.get_by_role("alert").inner_text() == "reason: a reason is required"
    page.go_back()
    page.locator("article.approval").get_by_role("button", name="Approve").click()
    assert "Approved." in page.get_by_role("status").first.inner_text()
    assert page.locator("article.approval").count() == 0
    page.get_by_role("link", name="Project page").click()
    page.get_by_role("button", name="Resume run").click()
    page.locator("[data-run-status]").get_by_text("completed").wait_for()
    gate = approvals.latest_for_gate(server.app, project_id=project.id, gate="post_shortlist")
    assert gate.status == "approved" and gate.decided_by == server.app.actor


def test_reject_and_request_changes_need_a_reason(page, server):
    project = create_project(server.app, brief=BRIEF, hitl=True, mode="mock")
    first = approvals.request_approval(
        server.app, project_id=project.id, gate="post_shortlist", summary="Shortlist: 1 idea"
    ).approval
    login(page, server, "/approvals")
    card = page.locator("article.approval")
    card.get_by_label("Reason").fill("the shortlist repeats a known result")
    card.get_by_role("button", name="Request changes").click()
    assert "Changes requested." in page.get_by_role("status").first.inner_text()
    row = page.locator("tbody tr", has_text="the shortlist repeats a known result")
    assert "changes requested" in row.inner_text()
    second = approvals.request_approval(
        server.app, project_id=project.id, gate="pre_package_freeze", summary="Freeze v1"
    ).approval
    page.reload()
    card = page.locator("article.approval")
    card.get_by_label("Reason").fill("not novel")
    card.get_by_role("button", name="Reject").click()
    with server.app.database.session() as session:
        from researchos.store import approvals as store

        assert store.get_approval(session, approval_id=first.id).status == "changes_requested"
        assert store.get_approval(session, approval_id=second.id).reason == "not novel"


def test_review_issues_are_resolved_waived_and_reopened_with_reasons(page, server):
    project = create_project(server.app, brief=BRIEF, mode="mock")
    record_findings(
        server.app,
        project_id=project.id,
        findings=[
            Finding("P1", "alignment", "0.97 is not a number of C0001", "views/paper.md:12"),
            Finding("P2", "review-model", "the related-work section is thin"),
        ],
    )
    login(page, server, f"/projects/{project.id}/review")
    assert "Freezing is blocked by" in page.locator(".warn").inner_text()
    p1 = page.locator("article.issue", has_text="0.97 is not a number")
    p1.get_by_label("New state").select_option("waived")
    p1.get_by_label("Reason").fill("fine")
    p1.get_by_role("button", name="Change").click()
    assert "P0 and P1 issues cannot be waived" in page.get_by_role("alert").inner_text()
    page.go_back()
    p2 = page.locator("article.issue", has_text="related-work")
    p2.get_by_label("New state").select_option("waived")
    p2.get_by_label("Reason").fill("out of scope for a pilot")
    p2.get_by_role("button", name="Change").click()
    p2 = page.locator("article.issue", has_text="related-work")
    assert "waived" in p2.locator("h3").inner_text()
    p2.get_by_text("History").click()
    assert "out of scope for a pilot" in p2.inner_text()
    shot(page, "review")


def test_run_log_follows_while_the_project_runs(page, server, probe_stage, tmp_path):
    def work(context, probe):
        log = context.app.workspace.runs_dir / "run-0001" / "stdout.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with context.app.database.session() as session:
            research.record_run(
                session, project_id=context.project.id, spec_id="S1", condition="standardised",
                seed=0, phase="pilot", attempt=1, run_id="run-0001", result_class="succeeded_valid",
                metrics_path=None, metrics_sha256=None, cpu_s=0.5, error=None,
            )  # fmt: skip
        log.write_text("epoch 1 accuracy 0.90\n")
        probe.log_ready.set()
        probe.more.wait(20)
        with log.open("a") as handle:
            handle.write("epoch 2 accuracy 0.95\n")
        probe.finish.wait(20)

    import threading

    probe = probe_stage(work=work)
    probe.log_ready, probe.more, probe.finish = (threading.Event() for _ in range(3))
    project = create_project(server.app, brief=BRIEF, mode="mock")
    server.api.state.jobs.start(project.id)
    probe.release.set()
    assert probe.log_ready.wait(20)
    try:
        login(page, server, f"/projects/{project.id}/runs")
        page.get_by_role("link", name="run-0001").click()
        assert "succeeded valid" in page.locator("tbody").inner_text()
        page.get_by_role("link", name="stdout.log").click()
        log = page.locator("pre.logtext")
        assert log.inner_text().strip() == "epoch 1 accuracy 0.90"
        probe.more.set()
        log.get_by_text("epoch 2 accuracy 0.95").wait_for()
        shot(page, "run-log")
    finally:
        probe.more.set()
        probe.finish.set()
    server.api.state.jobs.join(project.id, 20)
    with server.app.database.session() as session:
        assert projects.get_project(session, project_id=project.id).status == "completed"


def test_ideas_funnel_and_specs_show_what_the_store_holds(page, server):
    project = create_project(server.app, brief=BRIEF, mode="mock")
    ideas = [
        {"idea_id": f"I{n}", "title": f"Idea {n}", "payload": {}, "rank": n,
         "scores": {"novelty": 0.5 + n / 10, "feasibility": 0.8}}
        for n in (1, 2)
    ]  # fmt: skip
    with server.app.database.session() as session:
        research.replace_ideas(session, project_id=project.id, ideas=ideas)
        for stage in ("S0", "S1", "S2", "S3", "S4"):
            research.record_funnel_decision(
                session, project_id=project.id, idea_id="I1", stage=stage, decision="advance",
                reason=f"passes {stage}", scores={},
            )  # fmt: skip
        research.record_funnel_decision(
            session, project_id=project.id, idea_id="I2", stage="S1", decision="reject",
            reason="duplicates a known result", scores={},
        )  # fmt: skip
        research.upsert_spec(
            session, project_id=project.id, spec_id="SP1", idea_id="I1", sha256="ab" * 32,
            payload={"title": "Scaling spec", "hypothesis": "scaling helps", "seeds": [0, 1]},
        )  # fmt: skip
    login(page, server, f"/projects/{project.id}/ideas")
    funnel = page.locator("ol.funnel").inner_text().split("\n")
    assert funnel == ["S0 2", "S1 2", "S2 1", "S3 1", "S4 1", "shortlisted 1"]
    assert "shortlisted" in page.locator("#idea-I1").inner_text()
    rejected = page.locator("#idea-I2").inner_text()
    assert "rejected" in rejected and "duplicates a known result" in rejected
    shot(page, "ideas")
    page.get_by_role("link", name="Specs").click()
    spec = page.locator("article.spec")
    assert "Scaling spec" in spec.locator("h3").inner_text()
    assert "scaling helps" in spec.inner_text() and "abababababababab" in spec.inner_text()
