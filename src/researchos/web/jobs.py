"""Pipeline runs started from the API: one worker thread per project, progress to EventLog."""

from __future__ import annotations

import logging
import threading

from researchos.errors import Conflict, ResearchOSError
from researchos.pipeline.engine import check_can_run, run_project
from researchos.web.events import EventLog

log = logging.getLogger(__name__)


class Jobs:
    def __init__(self, app, events: EventLog) -> None:
        self.app = app
        self.events = events
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def running(self, project_id: str) -> bool:
        thread = self._threads.get(project_id)
        return thread is not None and thread.is_alive()

    def start(self, project_id: str) -> None:
        """Start the project in the background; refuses (409) when it may not run now."""
        with self._lock:
            if self.running(project_id):
                raise Conflict(f"project {project_id} is already running")
            check_can_run(self.app, project_id)
            thread = threading.Thread(
                target=self._run, args=(project_id,), daemon=True, name=f"project-{project_id}"
            )
            self._threads[project_id] = thread
            thread.start()

    def _run(self, project_id: str) -> None:
        self.events.publish(project_id, "run.started")

        def progress(stage: str, message: str, done: float | None) -> None:
            self.events.publish(project_id, "progress", stage=stage, message=message, done=done)

        try:
            outcome = run_project(self.app, project_id, progress=progress)
            result = outcome.to_dict()
            result.pop("project_id")
            self.events.publish(project_id, "run.finished", **result)
        except ResearchOSError as exc:
            self.events.publish(project_id, "run.refused", error=str(exc), status=exc.status)
        except Exception as exc:  # never let a worker die silently
            log.exception("background run of %s crashed", project_id)
            self.events.publish(project_id, "run.crashed", error=f"{type(exc).__name__}")

    def join(self, project_id: str, timeout: float | None = None) -> None:
        thread = self._threads.get(project_id)
        if thread is not None:
            thread.join(timeout)
