"""Retries with exponential backoff for transient provider failures.

Retried: 408/409/425/429/5xx/529 answers and connection errors or timeouts (the adapter marks
them ``retryable``). Not retried: auth errors, unknown models, malformed bodies, rejected
requests. A server's Retry-After (or retry-after-ms) wins over the backoff, capped so a
misbehaving server cannot park a run for an hour.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from researchos.errors import ProviderError

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class Attempts:
    """Counts HTTP attempts across a call (retries and the structured-output repair)."""

    count: int = 0
    waited: float = 0.0


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    retry_after_cap: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, retry: int, error: ProviderError) -> float:
        if error.retry_after is not None:
            return min(error.retry_after, self.retry_after_cap)
        ceiling = min(self.max_backoff, self.backoff * (2**retry))
        return ceiling * (0.5 + random.random() / 2)  # jitter: spread synchronized clients

    def run(self, operation: Callable[[], T], attempts: Attempts, *, label: str) -> T:
        retry = 0
        while True:
            attempts.count += 1
            try:
                return operation()
            except ProviderError as exc:
                if not exc.retryable or retry >= self.max_retries:
                    raise
                wait = self.delay(retry, exc)
                log.info(
                    "%s: %s; retry %d/%d in %.2fs",
                    label,
                    exc.category,
                    retry + 1,
                    self.max_retries,
                    wait,
                )
                self.sleep(wait)
                attempts.waited += wait
                retry += 1
