"""Approval mail over a real SMTP server (aiosmtpd), reminders and expiry, and the CLI."""

import json
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from researchos.app import build_app
from researchos.pipeline import approvals
from researchos.pipeline.projects import create_project
from researchos.settings import load_settings
from researchos.store import approvals as store
from researchos.store.projects import now

BRIEF = "Does antithetic sampling reduce Monte-Carlo variance for smooth integrands?"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_request_is_mailed_over_smtp(clean_env, monkeypatch, smtp):
    inbox, port = smtp
    monkeypatch.setenv("RESEARCHOS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RESEARCHOS_SMTP_PORT", str(port))
    monkeypatch.setenv("RESEARCHOS_APPROVER_EMAIL", "pi@lab.example")
    app = build_app(load_settings(), create=True)
    project = create_project(app, brief=BRIEF, hitl=True)
    created = approvals.request_approval(
        app, project_id=project.id, gate="post_shortlist", summary="3 ideas shortlisted"
    )
    assert created.approval.delivery == f"smtp:127.0.0.1:{port}"
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["pi@lab.example"]
    body = envelope.content.decode()
    assert "3 ideas shortlisted" in body and created.token in body
    assert f"researchos approvals approve {created.approval.id}" in body


def test_unreachable_smtp_is_a_clear_error(clean_env, monkeypatch):
    monkeypatch.setenv("RESEARCHOS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RESEARCHOS_SMTP_PORT", "9")
    app = build_app(load_settings(), create=True)
    project = create_project(app, brief=BRIEF, hitl=True)
    with pytest.raises(Exception, match="RESEARCHOS_SMTP_HOST"):
        approvals.request_approval(app, project_id=project.id, gate="post_shortlist", summary="s")


def test_token_is_checked_and_never_stored_in_clear(app):
    project = create_project(app, brief=BRIEF, hitl=True)
    created = approvals.request_approval(
        app, project_id=project.id, gate="post_shortlist", summary="s"
    )
    with app.database.session() as session:
        row = store.get_approval(session, approval_id=created.approval.id)
    assert created.token not in json.dumps(row.to_dict()) and row.token_sha256 != created.token
    from researchos.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        approvals.decide(
            app,
            approval_id=created.approval.id,
            decision="approve",
            token="wrong",
            require_token=True,
        )
    decided = approvals.decide(
        app,
        approval_id=created.approval.id,
        decision="approve",
        token=created.token,
        require_token=True,
    )
    assert decided.status == "approved"


def test_reminder_after_24h_and_expiry_after_72h(app):
    project = create_project(app, brief=BRIEF, hitl=True)
    created = approvals.request_approval(
        app, project_id=project.id, gate="post_shortlist", summary="s"
    )
    with app.database.session() as session:
        store.update_approval(
            session, approval_id=created.approval.id, remind_at=now() - timedelta(minutes=1)
        )
    changed = approvals.sweep(app)
    assert changed[0].reminders == 1
    assert (app.workspace.outbox_dir / f"{created.approval.id}-reminder-1.eml").exists()
    with app.database.session() as session:
        store.update_approval(
            session, approval_id=created.approval.id, due_at=now() - timedelta(minutes=1)
        )
    expired = approvals.sweep(app)
    assert expired[0].status == "expired"


def test_cli_approval_flow(cli, clean_env, tmp_path):
    cli("init")
    brief = tmp_path / "brief.md"
    brief.write_text(BRIEF)
    made = cli("project", "new", "--brief", str(brief), "--hitl", "--json")
    assert made.code == 0, made.err
    project_id = json.loads(made.out)["id"]
    app = build_app(load_settings())
    created = approvals.request_approval(
        app, project_id=project_id, gate="post_shortlist", summary="s"
    )
    listed = json.loads(cli("approvals", "list", "--json").out)
    assert [a["id"] for a in listed] == [created.approval.id]
    assert "token" not in json.dumps(listed)
    refused = cli("approvals", "reject", created.approval.id)
    assert refused.code == 2  # --reason is required
    done = cli("approvals", "reject", created.approval.id, "--reason", "out of scope", "--json")
    assert json.loads(done.out)["status"] == "rejected"
    again = cli("approvals", "approve", created.approval.id)
    assert again.code == 1 and "already rejected" in again.err
