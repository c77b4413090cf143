"""``researchos distill --watch DIR``: distil transcripts from a directory queue.

A poll lists transcript files under DIR (``.jsonl``, ``.ipynb``, ``.txt``, ``.log``, ``.md``;
hidden and temporary files skipped) and stats them. A file is ready once it has been quiet
for ``settle`` seconds (same mtime and size on two polls, or an mtime that old), so a session
still being written waits. A ready file is hashed; a sha256 the store already lists is
skipped, so a restarted watcher redoes nothing. Bad input (garbled, too large, nothing
grounded) is recorded as failed and not retried until the file changes; other failures
(a provider outage) are retried after ``retry_s``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from researchos.distill.service import Distiller
from researchos.distill.source import scrub
from researchos.errors import InputError, NotFound, ResearchOSError
from researchos.store.transcripts import find_processed, record_processed

if TYPE_CHECKING:
    from researchos.app import App

SUFFIXES = (".jsonl", ".ipynb", ".txt", ".log", ".md")
TEMP_ENDINGS = (".tmp", ".part", ".swp", "~", ".crdownload", ".researchos-tmp")


@dataclass(frozen=True)
class FileResult:
    file: str
    status: str  # done, skipped, failed
    ara: str | None = None
    claims: int = 0
    traces: int = 0
    rejected: int = 0
    detail: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class WatchSummary:
    results: list[FileResult] = field(default_factory=list)
    polls: int = 0

    def counts(self) -> dict[str, int]:
        out = {"done": 0, "skipped": 0, "failed": 0}
        for result in self.results:
            out[result.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {**self.counts(), "polls": self.polls, "files": [r.to_dict() for r in self.results]}


@dataclass
class _Seen:
    stamp: tuple[int, int]
    handled: bool = False
    retry_at: float = 0.0


Report = Callable[[FileResult], None]


class Watcher:
    def __init__(
        self,
        app: App,
        distiller: Distiller,
        root: Path,
        *,
        ara: str | None = None,
        fmt: str | None = None,
        settle: float = 2.0,
        interval: float = 2.0,
        retry_s: float = 300.0,
    ) -> None:
        if not root.is_dir():
            raise NotFound(f"{root} is not a directory", fix="give the directory to watch")
        self.app = app
        self.distiller = distiller
        self.root = root
        self.ara = ara
        self.fmt = fmt
        self.settle = settle
        self.interval = interval
        self.retry_s = retry_s
        self._seen: dict[Path, _Seen] = {}

    def run(
        self, *, once: bool, report: Report | None = None, max_polls: int | None = None
    ) -> WatchSummary:
        summary = WatchSummary()
        while True:
            ready, waiting = self.poll()
            summary.polls += 1
            for path in ready:
                result = self.process(path)
                summary.results.append(result)
                if report is not None:
                    report(result)
            if (once and not waiting) or (max_polls is not None and summary.polls >= max_polls):
                return summary
            time.sleep(self.interval)

    # --- the queue -------------------------------------------------------------------------

    def candidates(self) -> Iterator[Path]:
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root)
            if any(part.startswith(".") for part in rel.parts) or path.name.endswith(TEMP_ENDINGS):
                continue
            if path.suffix.lower() in SUFFIXES and path.is_file():
                yield path

    def poll(self) -> tuple[list[Path], int]:
        """Files ready now (quiet for ``settle`` seconds), and how many are still settling."""
        now = time.time()
        ready, waiting = [], 0
        for path in self.candidates():
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            seen = self._seen.get(path)
            if seen is None or seen.stamp != stamp:  # new or changed: a new queue entry
                seen = self._seen[path] = _Seen(stamp)
            if seen.handled or now < seen.retry_at:
                continue
            if now - stat.st_mtime < self.settle:
                waiting += 1
                continue
            ready.append(path)
        return ready, waiting

    def process(self, path: Path) -> FileResult:
        rel = path.relative_to(self.root).as_posix()
        seen = self._seen[path]
        started = time.perf_counter()
        sha = _sha256(path)
        with self.app.database.session() as session:
            before = find_processed(session, sha256=sha)
        if before is not None:
            seen.handled = True
            detail = (
                f"already distilled into {before.ara}"
                if before.status == "done"
                else f"already failed: {before.error}"
            )
            return FileResult(rel, "skipped", before.ara, detail=detail)
        try:
            report = self.distiller.distill(path, ara=self.ara, fmt=self.fmt, display=rel)
        except InputError as exc:  # bad input: the same bytes fail the same way
            seen.handled = True
            self._record(sha, rel, path, "failed", error=scrub(str(exc)))
            return FileResult(rel, "failed", detail=scrub(str(exc)), seconds=_since(started))
        except ResearchOSError as exc:
            seen.retry_at = time.time() + self.retry_s
            return FileResult(
                rel, "failed", detail=f"{scrub(str(exc))} (will retry)", seconds=_since(started)
            )
        seen.handled = True
        rejected = sum(report.rejected.values())
        self._record(
            sha,
            rel,
            path,
            "done",
            fmt=report.format,
            ara=report.ara,
            claims=len(report.claims),
            traces=len(report.traces),
            rejected=rejected,
        )
        return FileResult(
            rel,
            "done",
            report.ara,
            len(report.claims),
            len(report.traces),
            rejected,
            seconds=_since(started),
        )

    def _record(self, sha: str, rel: str, path: Path, status: str, **fields: Any) -> None:
        format_ = fields.pop("fmt", None)
        with self.app.database.session() as session:
            record_processed(
                session,
                sha256=sha,
                name=path.name,
                source=rel,
                size=path.stat().st_size,
                status=status,
                format=format_,
                **fields,
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)
