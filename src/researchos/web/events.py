"""Progress events of pipeline runs, kept per project for server-sent events.

The engine runs in a worker thread and publishes here; SSE subscribers replay the log and
then follow new events. Events are small dicts; the log per project is bounded.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Any

MAX_EVENTS = 2000


class EventLog:
    def __init__(self) -> None:
        self._events: dict[str, deque[dict[str, Any]]] = defaultdict(
            lambda: deque(maxlen=MAX_EVENTS)
        )
        self._counter = 0
        self._cond = threading.Condition()

    def publish(self, project_id: str, kind: str, **data: Any) -> None:
        with self._cond:
            self._counter += 1
            self._events[project_id].append(
                {"id": self._counter, "kind": kind, "at": time.time(), **data}
            )
            self._cond.notify_all()

    def since(self, project_id: str, last_id: int) -> list[dict[str, Any]]:
        with self._cond:
            return [e for e in self._events.get(project_id, ()) if e["id"] > last_id]

    def wait(self, project_id: str, last_id: int, timeout: float) -> list[dict[str, Any]]:
        """Events after ``last_id``, waiting up to ``timeout`` seconds for the first one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [e for e in self._events.get(project_id, ()) if e["id"] > last_id]
                remaining = deadline - time.monotonic()
                if found or remaining <= 0:
                    return found
                self._cond.wait(remaining)
