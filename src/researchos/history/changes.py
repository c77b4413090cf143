"""One content change = files written atomically, then exactly one semantic commit.

``content_change`` holds the ARA lock (when the change belongs to an ARA) and the workspace
git lock for the whole change, so concurrent writers serialise and lose nothing. Before the
first write it opens a journal (``var/journal/``, one JSON line per path) holding the prior
content of every path it
touches. If the body raises, the files are put back and nothing is committed. If the process
dies, ``recover`` on the next start rolls an unfinished change back from the journal, and
commits a finished-but-uncommitted one (or any other uncommitted content) as a ``recover``
event — so the history never holds half a change.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel

from researchos.files import TMP_SUFFIX, dump_yaml, write_atomic
from researchos.history.commits import ChangeMeta, format_message
from researchos.history.git import Git
from researchos.history.locks import ara_lock, git_lock

log = logging.getLogger(__name__)
STALE_INDEX_LOCK_S = 30.0
JOURNAL_NAME = "change.json"


@dataclass
class ChangeSet:
    """Collects the writes of one change and remembers how to undo them."""

    root: Path
    journal: Path
    meta: ChangeMeta
    commit: str | None = None
    _before: dict[str, bytes | None] = field(default_factory=dict)

    def _remember(self, path: Path) -> None:
        rel = path.resolve().relative_to(self.root.resolve()).as_posix()
        if rel in self._before:
            return
        before = path.read_bytes() if path.is_file() else None
        first = not self._before
        self._before[rel] = before
        encoded = None if before is None else base64.b64encode(before).decode("ascii")
        self._journal_line({"path": rel, "before": encoded}, fresh=first)

    def _journal_line(self, entry: dict[str, object], *, fresh: bool = False) -> None:
        """One JSON line per touched path, written before the path itself is written."""
        if fresh:
            self.journal.parent.mkdir(parents=True, exist_ok=True)
        with self.journal.open("w" if fresh else "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")

    @property
    def paths(self) -> list[str]:
        return list(self._before)

    def describe(self, summary: str, **trailers: str | tuple[str, ...]) -> None:
        """Refine the commit summary (and add trailers) once the body knows the details."""
        extra = {**self.meta.extra, **trailers}
        self.meta = replace(self.meta, summary=summary, extra=extra)

    def write_bytes(self, path: Path, data: bytes | str, *, mode: int | None = None) -> None:
        """Write ``path`` atomically; an identical rewrite is skipped (no empty commits)."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if self._unchanged(path, raw, mode):
            return
        self._remember(path)
        write_atomic(path, raw, mode=mode)

    def _unchanged(self, path: Path, raw: bytes, mode: int | None) -> bool:
        rel = path.resolve().relative_to(self.root.resolve()).as_posix()
        if rel in self._before or not path.is_file():
            return False
        if mode is not None and path.stat().st_mode & 0o777 != mode:
            return False
        return path.stat().st_size == len(raw) and path.read_bytes() == raw

    def write_yaml(self, path: Path, model: BaseModel) -> None:
        data = model.model_dump(mode="json", exclude_none=True)
        self.write_bytes(path, dump_yaml(data))

    def copy_file(self, source: Path, dest: Path) -> None:
        self._remember(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.copy{TMP_SUFFIX}")
        shutil.copyfile(source, tmp)
        tmp.replace(dest)

    def delete(self, path: Path) -> None:
        self._remember(path)
        path.unlink(missing_ok=True)

    def rollback(self) -> None:
        _restore(self.root, self._before)
        self.journal.unlink(missing_ok=True)


def _restore(root: Path, before: dict[str, bytes | None]) -> None:
    for rel, content in before.items():
        target = root / rel
        if content is None:
            target.unlink(missing_ok=True)
        else:
            write_atomic(target, content)


@contextmanager
def content_change(
    root: Path, var_dir: Path, meta: ChangeMeta, *, ara: str | None = None
) -> Iterator[ChangeSet]:
    """Run the body under the locks; commit what it wrote as one semantic commit."""
    locks_dir = var_dir / "locks"
    with ExitStack() as stack:
        if ara is not None:
            stack.enter_context(ara_lock(locks_dir, ara))
        stack.enter_context(git_lock(locks_dir))
        changes = ChangeSet(root, var_dir / "journal" / JOURNAL_NAME, meta)
        try:
            yield changes
        except BaseException:
            changes.rollback()
            raise
        if changes.paths:
            changes._journal_line({"complete": True})
            _clear_stale_index_lock(root)
            changes.commit = Git(root).commit(
                changes.paths, format_message(changes.meta), author=author_of(changes.meta.actor)
            )
            changes.journal.unlink(missing_ok=True)


def author_of(actor: str) -> tuple[str, str]:
    """Git author for an actor such as ``user:alice`` or ``agent:builder``."""
    name = actor.split(":", 1)[-1] or "researchos"
    return actor, f"{name.replace(' ', '.')}@researchos.local"


def _clear_stale_index_lock(root: Path) -> None:
    index_lock = root / ".git" / "index.lock"
    if index_lock.exists() and time.time() - index_lock.stat().st_mtime > STALE_INDEX_LOCK_S:
        log.warning("removing stale git index.lock left by an interrupted commit")
        index_lock.unlink(missing_ok=True)


def recover(
    root: Path, var_dir: Path, *, actor: str, content_prefixes: tuple[str, ...]
) -> str | None:
    """Undo an unfinished change, then commit leftover content as a ``recover`` event."""
    git = Git(root)
    with git_lock(var_dir / "locks"):
        rolled_back = _roll_back_unfinished(root, var_dir / "journal" / JOURNAL_NAME)
        for tmp in _temp_files(root, content_prefixes):
            tmp.unlink(missing_ok=True)
        dirty = [p for p in git.dirty_paths() if p.startswith(content_prefixes)]
        if not dirty:
            return None
        _clear_stale_index_lock(root)
        summary = f"commit {len(dirty)} path(s) left uncommitted by an interrupted change"
        if rolled_back:
            summary += f" after rolling back {rolled_back} half-written path(s)"
        meta = ChangeMeta(
            event="recover",
            scope="workspace",
            summary=summary,
            actor=actor,
            extra={"Paths": ", ".join(sorted(dirty)[:20])},
        )
        log.warning("recover: %s", summary)
        return git.commit(dirty, format_message(meta), author=author_of(actor))


def _roll_back_unfinished(root: Path, journal: Path) -> int:
    if not journal.exists():
        return 0
    before: dict[str, bytes | None] = {}
    complete = False
    for line in journal.read_text("utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:  # a torn last line: its path was never written
            continue
        if entry.get("complete"):
            complete = True
        elif "path" in entry:
            data = entry.get("before")
            before.setdefault(entry["path"], None if data is None else base64.b64decode(data))
    count = 0
    if not complete:
        _restore(root, before)
        count = len(before)
    journal.unlink(missing_ok=True)
    return count


def _temp_files(root: Path, prefixes: tuple[str, ...]) -> Iterator[Path]:
    for prefix in prefixes:
        base = root / prefix.rstrip("/")
        if base.is_dir():
            yield from base.rglob(f"*{TMP_SUFFIX}")
