"""Long work started from console pages (a matrix, a seal): a thread per task, with what the
page needs to follow it (a note on the current step, the error if it failed).

Tasks are keyed by what they work on (``matrix:<id>``, ``seal:<slug>``); a *group* runs one
task at a time (every matrix shares one, since a matrix keeps every worker busy; a seal is
alone in its ARA's). The registry lives in this server's memory: the store and the files
hold the results, this only knows what it started.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from researchos.errors import Conflict, ResearchOSError

log = logging.getLogger(__name__)


@dataclass
class Task:
    key: str
    group: str
    info: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    error: str | None = None
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


class Background:
    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Task | None:
        return self._tasks.get(key)

    def busy(self, group: str) -> Task | None:
        return next((t for t in self._tasks.values() if t.group == group and t.running), None)

    def start(
        self,
        key: str,
        work: Callable[[Task], Any],
        *,
        group: str,
        info: dict[str, Any] | None = None,
        finally_: Callable[[], None] | None = None,
    ) -> Task:
        """Run ``work(task)`` in a thread; refuses (409) while the group has a task running."""
        with self._lock:
            if running := self.busy(group):
                raise Conflict(
                    f"{running.key} is still running",
                    fix="wait for it to finish, then start the next one",
                )
            task = Task(key, group, info or {})
            task.thread = threading.Thread(
                target=_run, args=(task, work, finally_), daemon=True, name=key
            )
            self._tasks[key] = task
            task.thread.start()
        return task

    def join(self, key: str, timeout: float | None = None) -> None:
        task = self._tasks.get(key)
        if task is not None and task.thread is not None:
            task.thread.join(timeout)


def _run(task: Task, work: Callable[[Task], Any], finally_: Callable[[], None] | None) -> None:
    try:
        work(task)
    except ResearchOSError as exc:
        task.error = str(exc)  # the message with its fix
    except Exception as exc:  # never let a worker die silently
        log.exception("background task %s crashed", task.key)
        task.error = f"{task.key} crashed ({type(exc).__name__}); see the server log"
    finally:
        if finally_ is not None:
            finally_()


def background(request: Any) -> Background:
    """The server's registry (``console.mount`` makes it)."""
    registry: Background = request.app.state.background
    return registry
