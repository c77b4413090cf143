"""Where landscape files live, and reading them back with errors that name the file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from researchos.artifacts.reader import load_model
from researchos.errors import Conflict, NotFound
from researchos.files import dump_yaml, sha256_file
from researchos.landscape.models import EntryKind, LandscapeEntry, Proposal
from researchos.workspace.layout import Workspace

SECTIONS = {"known_result": "known-results", "hypothesis": "hypotheses"}
RETRACTED = "retracted"
_LEADING = ("format_version", "id", "kind", "status")


@dataclass(frozen=True)
class LandscapePaths:
    """The landscape's directories inside a workspace."""

    workspace: Workspace

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
            found.append(load_model(LandscapeEntry, path, display=paths.display(path)))
    return found


def active_entries(paths: LandscapePaths) -> list[LandscapeEntry]:
    return entries(paths, SECTIONS.values())


def retracted_entries(paths: LandscapePaths) -> list[LandscapeEntry]:
    return entries(paths, [RETRACTED])


def find_entry(paths: LandscapePaths, entry_id: str) -> tuple[LandscapeEntry, Path]:
    for name in [*SECTIONS.values(), RETRACTED]:
        path = paths.section(name) / f"{entry_id}.yaml"
        if path.is_file():
            return load_model(LandscapeEntry, path, display=paths.display(path)), path
    raise NotFound(f"no landscape entry {entry_id!r}", fix="see `researchos landscape show`")


def pending_proposals(paths: LandscapePaths) -> list[Proposal]:
    return [
        load_model(Proposal, path, display=paths.display(path))
        for path in _files(paths.workspace.proposals_dir)
    ]


def decided_proposals(paths: LandscapePaths) -> list[Proposal]:
    return [
        load_model(Proposal, path, display=paths.display(path))
        for path in _files(paths.workspace.proposals_dir / "decided")
    ]


def load_pending(paths: LandscapePaths, proposal_id: str) -> Proposal:
    path = paths.pending(proposal_id)
    if path.is_file():
        return load_model(Proposal, path, display=paths.display(path))
    decided = paths.decided(proposal_id)
    if decided.is_file():
        done = load_model(Proposal, decided, display=paths.display(decided))
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
