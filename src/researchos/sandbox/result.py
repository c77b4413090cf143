"""What one command execution in a sandbox returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from researchos.sandbox.limits import LimitName


@dataclass(frozen=True)
class ExecResult:
    """The outcome of ``Runner.exec``.

    ``stdout``/``stderr`` hold at most the last ``TAIL_BYTES`` of each stream (decoded
    leniently); the complete streams, up to the output limit, are in ``stdout_log`` and
    ``stderr_log``. ``limit_fired`` names the first limit that stopped or starved the run;
    ``limits_hit`` lists every one observed, in order.
    """

    returncode: int
    stdout: str
    stderr: str
    stdout_log: Path
    stderr_log: Path
    duration: float
    cpu_time: float
    peak_memory: int
    limit_fired: LimitName | None
    runner: str
    isolation: str
    limits_hit: tuple[LimitName, ...] = ()
    signal: int | None = None
    cancelled: bool = False
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    sandbox_uid: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.limit_fired is None and not self.cancelled

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stdout_log"] = str(self.stdout_log)
        data["stderr_log"] = str(self.stderr_log)
        data["limits_hit"] = list(self.limits_hit)
        data["notes"] = list(self.notes)
        return data
