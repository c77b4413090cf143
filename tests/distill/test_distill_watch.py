"""``researchos distill --watch DIR``: a queue processed once, idempotent across restarts."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from researchos.app import App
from researchos.distill import Distiller
from researchos.distill.watch import Watcher
from researchos.store.transcripts import find_processed, list_processed

Cli = Callable[..., Any]


def queue(fixtures: Path, tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    (inbox / "2026" / "03").mkdir(parents=True)
    for name in ("claude-session.jsonl", "terminal-session.txt", "garbled.jsonl"):
        shutil.copy(fixtures / name, inbox / name)
    shutil.copy(fixtures / "codex-rollout.jsonl", inbox / "2026" / "03" / "rollout-1.jsonl")
    (inbox / ".hidden.jsonl").write_text("{}\n")
    (inbox / "partial.jsonl.part").write_text("{}\n")
    return inbox


def watch(cli: Cli, inbox: Path, *more: str) -> tuple[int, dict[str, Any]]:
    result = cli("distill", "--watch", str(inbox), "--once", "--settle", "0", "--json", *more)
    return result.code, json.loads(result.out)


def test_once_distils_the_queue_and_a_restart_redoes_nothing(
    cli: Cli, fixtures: Path, tmp_path: Path, clean_env: Path
) -> None:
    inbox = queue(fixtures, tmp_path)
    assert cli("init").code == 0
    code, first = watch(cli, inbox)
    assert code == 1  # the garbled transcript failed
    assert (first["done"], first["skipped"], first["failed"]) == (3, 0, 1)
    files = {f["file"]: f for f in first["files"]}
    assert set(files) == {
        "claude-session.jsonl",
        "terminal-session.txt",
        "garbled.jsonl",
        "2026/03/rollout-1.jsonl",
    }
    assert "garbled.jsonl: line 6: is not valid JSON" in files["garbled.jsonl"]["detail"]
    assert files["claude-session.jsonl"]["ara"] == "session-claude-session"
    head = (clean_env / ".git" / "HEAD").read_text()
    commits = len(list((clean_env / ".git" / "objects").rglob("*")))

    code, again = watch(cli, inbox)  # a new process: state comes from the store
    assert code == 0 and (again["done"], again["skipped"], again["failed"]) == (0, 4, 0)
    assert len(list((clean_env / ".git" / "objects").rglob("*"))) == commits
    assert (clean_env / ".git" / "HEAD").read_text() == head

    with (inbox / "terminal-session.txt").open("a") as handle:
        handle.write("$ python fit.py --model hgb --depth 6 --seed 11\nmean AUC: 0.7921\n")
    code, changed = watch(cli, inbox)
    assert (changed["done"], changed["skipped"]) == (1, 3)
    redone = next(f for f in changed["files"] if f["status"] == "done")
    assert (
        redone["file"] == "terminal-session.txt" and redone["ara"] == "session-terminal-session-2"
    )


def test_watch_appends_every_session_to_one_ara(
    cli: Cli, fixtures: Path, tmp_path: Path, clean_env: Path
) -> None:
    inbox = queue(fixtures, tmp_path)
    (inbox / "garbled.jsonl").unlink()
    assert cli("init").code == 0
    assert cli("ara", "new", "Churn and LM sessions", "--slug", "sessions").code == 0
    code, report = watch(cli, inbox, "--ara", "sessions")
    assert code == 0 and report["done"] == 3
    assert {f["ara"] for f in report["files"]} == {"sessions"}
    shown = json.loads(cli("ara", "show", "sessions", "--json").out)
    assert len(shown["ara"]["claims"]) == sum(f["claims"] for f in report["files"])


def test_a_file_still_being_written_waits_until_it_settles(
    app: App, distiller: Distiller, fixtures: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "live"
    inbox.mkdir()
    live = inbox / "session.jsonl"
    shutil.copy(fixtures / "claude-session.jsonl", live)
    watcher = Watcher(app, distiller, inbox, settle=30.0, interval=0.05)
    assert watcher.poll() == ([], 1)  # written just now
    old = time.time() - 60
    os.utime(live, (old, old))
    assert watcher.poll() == ([live], 0)
    summary = watcher.run(once=True)
    assert [r.status for r in summary.results] == ["done"]
    with app.database.session() as session:
        rows = list_processed(session)
        assert [r.status for r in rows] == ["done"]
        assert find_processed(session, sha256=rows[0].sha256) is not None
    assert watcher.poll() == ([], 0)  # handled: nothing left in the queue
