"""Background work started from console pages: one task per group at a time, errors kept for
the page (with their fix), crashes logged and named, clean-up always run."""

from __future__ import annotations

import threading

import pytest

from researchos.errors import Conflict, InputError
from researchos.web.console.background import Background


def test_a_group_runs_one_task_at_a_time() -> None:
    tasks = Background()
    release = threading.Event()
    cleaned: list[str] = []
    first = tasks.start(
        "matrix:a",
        lambda task: release.wait(10),
        group="matrix",
        finally_=lambda: cleaned.append("a"),
    )
    assert first.running and tasks.busy("matrix") is first
    with pytest.raises(Conflict, match="matrix:a is still running"):
        tasks.start("matrix:b", lambda task: None, group="matrix")
    other = tasks.start("seal:x", lambda task: None, group="seal:x")  # another group may run
    tasks.join("seal:x", 5)
    assert not other.running and other.error is None
    release.set()
    tasks.join("matrix:a", 5)
    assert tasks.busy("matrix") is None and cleaned == ["a"]
    tasks.start("matrix:b", lambda task: None, group="matrix")
    tasks.join("matrix:b", 5)


def test_errors_are_kept_for_the_page(caplog: pytest.LogCaptureFixture) -> None:
    tasks = Background()

    def refuse(task):
        task.note = "checking"
        raise InputError("no such level", field="level", fix="use 1, 2 or 3")

    def crash(task):
        raise ZeroDivisionError("secret detail")

    tasks.start("seal:a", refuse, group="seal:a")
    tasks.start("seal:b", crash, group="seal:b")
    tasks.join("seal:a", 5)
    tasks.join("seal:b", 5)
    refused, crashed = tasks.get("seal:a"), tasks.get("seal:b")
    assert refused is not None and refused.note == "checking"
    assert refused.error == "level: no such level (fix: use 1, 2 or 3)"
    assert crashed is not None and crashed.error is not None
    assert "ZeroDivisionError" in crashed.error and "secret detail" not in crashed.error
    assert "seal:b crashed" in caplog.text
