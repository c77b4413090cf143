"""Semantic commits, their parsing, and crash recovery against a real git repository."""

import json
import subprocess
import sys

import pytest

from researchos.app import build_app
from researchos.artifacts.service import Origin
from researchos.history.changes import content_change
from researchos.history.commits import ChangeMeta, format_message, parse_message, read_log
from researchos.settings import load_settings


def git(root, *args):
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_message_format_and_parse_round_trip():
    meta = ChangeMeta(
        event="claim.promote",
        scope="my-ara",
        summary="C0001: hypothesis -> supported",
        actor="agent:analyst",
        model_tier="strong",
        run_id="r-42",
        extra={"Claim": "C0001"},
    )
    text = format_message(meta)
    assert text.splitlines()[0] == "claim.promote(my-ara): C0001: hypothesis -> supported"
    entry = parse_message("abc", "2026-01-01T00:00:00+00:00", text)
    assert entry.event == "claim.promote" and entry.scope == "my-ara"
    assert entry.actor == "agent:analyst"
    assert entry.trailers["Model-Tier"] == "strong" and entry.trailers["Run"] == "r-42"


def test_model_and_run_trailers_reach_git(app):
    app.aras.create(title="T", slug="t")
    app.aras.add_claim(
        "t",
        {"statement": "s"},
        origin=Origin("agent:analyst", model_tier="balanced", run_id="run-7"),
    )
    body = git(app.workspace.root, "log", "-1", "--format=%B")
    assert "Researchos-Model-Tier: balanced" in body
    assert "Researchos-Run: run-7" in body
    assert "Researchos-Actor: agent:analyst" in body
    trailers = git(app.workspace.root, "log", "-1", "--format=%(trailers:key=Researchos-Event)")
    assert "claim.add" in trailers


def test_log_filters_by_ara_claim_and_event(app):
    for slug in ("a", "b"):
        app.aras.create(title=slug, slug=slug)
        app.aras.add_claim(slug, {"statement": f"{slug} one"})
        app.aras.add_claim(slug, {"statement": f"{slug} two"})
    app.aras.update_claim("a", "C0002", {"status": "supported"}, event="claim.promote")
    git_ = app.workspace.git
    assert [e.event for e in read_log(git_, ara="a")] == [
        "claim.promote",
        "claim.add",
        "claim.add",
        "ara.create",
    ]
    assert next(e.summary for e in read_log(git_, ara="a", claim="C0002")) == (
        "C0002: status hypothesis -> supported"
    )
    assert len(read_log(git_, event="claim.add")) == 4


def test_failed_change_rolls_back_files_and_commits_nothing(app):
    app.aras.create(title="T", slug="t")
    root = app.workspace.root
    before = git(root, "rev-parse", "HEAD")
    manifest = (root / "ara/t/ara.yaml").read_text()
    meta = ChangeMeta(event="claim.add", scope="t", summary="x", actor="user:u")
    with (
        pytest.raises(RuntimeError),
        content_change(root, app.workspace.var_dir, meta, ara="t") as cs,
    ):
        cs.write_bytes(root / "ara/t/claims/C0001.yaml", "half")
        cs.write_bytes(root / "ara/t/ara.yaml", "garbage")
        raise RuntimeError("crash in the middle")
    assert git(root, "rev-parse", "HEAD") == before
    assert (root / "ara/t/ara.yaml").read_text() == manifest
    assert not (root / "ara/t/claims/C0001.yaml").exists()
    assert git(root, "status", "--porcelain") == ""


def test_recover_commits_content_left_by_a_crash(app):
    app.aras.create(title="T", slug="t")
    root = app.workspace.root
    (root / "ara/t/views/paper.md").write_text("# written, then the process died\n")
    (root / "ara/t/claims/.C0001.yaml.dead.researchos-tmp").write_text("partial")
    reopened = build_app(load_settings(), home=root)
    entry = read_log(reopened.workspace.git, limit=1)[0]
    assert entry.event == "recover"
    assert "ara/t/views/paper.md" in entry.trailers["Paths"]
    assert git(root, "status", "--porcelain") == ""
    assert not list(root.rglob("*.researchos-tmp"))


def test_recover_rolls_back_an_unfinished_change(app):
    app.aras.create(title="T", slug="t")
    root = app.workspace.root
    manifest = (root / "ara/t/ara.yaml").read_bytes()
    # what a process killed between two writes of one change leaves behind
    journal = app.workspace.var_dir / "journal/change.json"
    journal.parent.mkdir(parents=True, exist_ok=True)
    import base64

    journal.write_text(
        json.dumps({"path": "ara/t/ara.yaml", "before": base64.b64encode(manifest).decode()})
        + "\n"
        + json.dumps({"path": "ara/t/claims/C0001.yaml", "before": None})
        + "\n"
        + '{"path": "ara/t/views/torn-by-the-kil'
    )
    (root / "ara/t/claims/C0001.yaml").write_text("format_version: 1\nid: C0001\nstatement: s\n")
    (root / "ara/t/ara.yaml").write_text("half-written")
    before = git(root, "rev-parse", "HEAD")
    build_app(load_settings(), home=root)
    assert (root / "ara/t/ara.yaml").read_bytes() == manifest
    assert not (root / "ara/t/claims/C0001.yaml").exists()
    assert git(root, "rev-parse", "HEAD") == before
    assert not journal.exists()


def test_killed_writer_leaves_a_consistent_workspace(clean_env, tmp_path):
    """A real process killed with SIGKILL in the middle of a change."""
    app = build_app(load_settings(), create=True)
    app.aras.create(title="T", slug="t")
    script = tmp_path / "die.py"
    script.write_text(
        "import os, signal\n"
        "from researchos.app import build_app\n"
        "from researchos.history import changes\n"
        "real = changes.write_atomic\n"
        "calls = []\n"
        "def dying(path, data, **kw):\n"
        "    real(path, data, **kw)\n"
        "    calls.append(path)\n"
        "    if str(path).endswith('.yaml') and 'claims' in str(path):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "changes.write_atomic = dying\n"
        "build_app().aras.add_claim('t', {'statement': 'never whole'})\n"
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    reopened = build_app(load_settings())
    from researchos.artifacts.validate import validate_ara

    assert validate_ara(reopened.workspace.ara_path("t")).ok
    assert reopened.aras.get("t").claims == []
    assert git(reopened.workspace.root, "status", "--porcelain") == ""
    assert (
        subprocess.run(
            ["git", "fsck", "--no-progress"], cwd=reopened.workspace.root, capture_output=True
        ).returncode
        == 0
    )
