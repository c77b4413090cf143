"""Where landscape files live, and reading them back with errors that name the file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from researchos.artifacts.reader import model_from_data
from researchos.errors import Conflict, NotFound
from researchos.files import dump_yaml, load_yaml, sha256_file
from researchos.landscape.models import EntryKind, LandscapeEntry, Proposal
from researchos.workspace.layout import Workspace

SECTIONS = {"known_result": "known-results", "hypothesis": "hypotheses"}
RETRACTED = "retracted"
_LEADING = ("format_version", "id", "kind", "status")


M = TypeVar("M", LandscapeEntry, Proposal)


@dataclass(frozen=True)
class LandscapePaths:
    """The landscape's directories inside a workspace, and a cache of the files read.

    Every landscape write replaces a file by rename, so (inode, mtime, size) changes whenever
    the content does; an unchanged file is not parsed again (it is still validated, so
    callers get fresh models). Checks read the whole landscape several times per change.
    """

    workspace: Workspace
    _cache: dict[Path, tuple[tuple[int, int, int], Any]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def load(self, model: type[M], path: Path) -> M:
        """The file as ``model``; the YAML parse is cached, validation runs every time."""
        stat = path.stat()
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(path)
        display = self.display(path)
        if cached is None or cached[0] != signature:
            cached = (signature, load_yaml(path, display=display))
            self._cache[path] = cached
        return model_from_data(model, cached[1], display=display)

    @property
    def root(self) -> Path:
        return self.workspace.landscape_dir

    @property
    def index(self) -> Path:
        return self.root / "index.md"

    def section(self, name: str) -> Path:
        return self.root / name

    def entry(self, entry: LandscapeEntry) -> Path:
        """The file an entry belongs in, given its kind and status."""
        name = RETRACTED if entry.status == "retracted" else SECTIONS[entry.kind]
        return self.section(name) / f"{entry.id}.yaml"

    def pending(self, proposal_id: str) -> Path:
        return self.workspace.proposals_dir / f"{proposal_id}.yaml"

    def decided(self, proposal_id: str) -> Path:
        return self.workspace.proposals_dir / "decided" / f"{proposal_id}.yaml"

    def display(self, path: Path) -> str:
        """``research-landscape/...`` for messages (paths here are built from the root)."""
        try:
            return path.relative_to(self.workspace.root).as_posix()
        except ValueError:
            return self.workspace.relative(path)


def ordered_yaml(model: BaseModel) -> str:
    """YAML with identity first (format_version, id, kind, status), then the rest."""
    data: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    head = {key: data.pop(key) for key in _LEADING if key in data}
    return dump_yaml({**head, **data})


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml")) if directory.is_dir() else []


def entries(paths: LandscapePaths, sections: Iterable[str] | None = None) -> list[LandscapeEntry]:
    names = list(sections) if sections is not None else [*SECTIONS.values(), RETRACTED]
    found = []
    for name in names:
        for path in _files(paths.section(name)):
            found.append(paths.load(LandscapeEntry, path))
    return found


def active_entries(paths: LandscapePaths) -> list[LandscapeEntry]:
    return entries(paths, SECTIONS.values())


def retracted_entries(paths: LandscapePaths) -> list[LandscapeEntry]:
    return entries(paths, [RETRACTED])


def find_entry(paths: LandscapePaths, entry_id: str) -> tuple[LandscapeEntry, Path]:
    for name in [*SECTIONS.values(), RETRACTED]:
        path = paths.section(name) / f"{entry_id}.yaml"
        if path.is_file():
            return paths.load(LandscapeEntry, path), path
    raise NotFound(f"no landscape entry {entry_id!r}", fix="see `researchos landscape show`")


def pending_proposals(paths: LandscapePaths) -> list[Proposal]:
    return [paths.load(Proposal, path) for path in _files(paths.workspace.proposals_dir)]


def decided_proposals(paths: LandscapePaths) -> list[Proposal]:
    return [
        paths.load(Proposal, path) for path in _files(paths.workspace.proposals_dir / "decided")
    ]


def load_pending(paths: LandscapePaths, proposal_id: str) -> Proposal:
    path = paths.pending(proposal_id)
    if path.is_file():
        return paths.load(Proposal, path)
    decided = paths.decided(proposal_id)
    if decided.is_file():
        done = paths.load(Proposal, decided)
        by = done.decision.by if done.decision else "someone"
        raise Conflict(f"proposal {proposal_id} was already {done.status} by {by}")
    raise NotFound(f"no proposal {proposal_id!r}", fix="see `researchos landscape review`")


def next_id(prefix: str, names: Iterable[str]) -> str:
    numbers = [int(m.group(1)) for n in names if (m := re.fullmatch(rf"{prefix}(\d+)", n))]
    return f"{prefix}{(max(numbers) + 1 if numbers else 1):04d}"


def next_entry_id(paths: LandscapePaths) -> str:
    names = [p.stem for s in [*SECTIONS.values(), RETRACTED] for p in _files(paths.section(s))]
    return next_id("E", names)


def next_proposal_id(paths: LandscapePaths) -> str:
    proposals = paths.workspace.proposals_dir
    names = [p.stem for p in [*_files(proposals), *_files(proposals / "decided")]]
    return next_id("P", names)


def file_sha(path: Path) -> str | None:
    return sha256_file(path) if path.is_file() else None


def section_of(kind: EntryKind) -> str:
    return SECTIONS[kind]
