"""What goes into a package: the ARA's files and the artefacts of its runs, checked first.

Everything is refused before a byte is written when it could make an unsafe or ambiguous
member: symlinks (a run could link to a file outside the workspace), special files, names
with backslashes or control characters, names that clash after case folding, ARA files that
would shadow the package's own metadata, and run directories outside ``var/runs/``.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from researchos.artifacts.reader import AraPaths
from researchos.errors import UnsafeInput
from researchos.files import TMP_SUFFIX
from researchos.package.archive import Source
from researchos.package.manifest import RESERVED_NAMES, RUNS_PREFIX, Role, RunInput
from researchos.workspace.layout import Workspace

SKIPPED_NAMES = frozenset({".gitkeep"})
_ROLES: dict[str, Role] = {
    "ara.yaml": "ara",
    "claims": "claim",
    "traces": "trace",
    "evidence": "evidence",
    "code": "code",
    "views": "view",
}
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\\]")


def ara_role(name: str) -> Role:
    return _ROLES.get(name.split("/", 1)[0], "other")


def ara_sources(workspace: Workspace, paths: AraPaths) -> list[Source]:
    """The ARA's files as committed (git ls-files), placeholders left out, sorted.

    Ignored files in the ARA directory (``__pycache__`` from running the code, temp files)
    are not content and stay out; the caller has checked that nothing tracked is modified.
    """
    prefix = f"ara/{paths.slug}/"
    listed = workspace.git.run("ls-files", "-z", "--", prefix).stdout.split("\0")
    display = f"ara/{paths.slug}"
    sources = []
    for rel in sorted(p[len(prefix) :] for p in listed if p.startswith(prefix)):
        source = _source(paths.root, rel, "", ara_role, display=display)
        if source is None:
            continue
        top = rel.split("/", 1)[0]
        if rel in RESERVED_NAMES or f"{top}/" == RUNS_PREFIX:
            raise UnsafeInput(
                f"{rel} would shadow the package's own {top}",
                file=f"{display}/{rel}",
                fix="rename or move the file",
            )
        sources.append(source)
    return sources


def run_sources(workspace: Workspace, runs: Sequence[RunInput]) -> dict[str, list[Source]]:
    """Files of each run's ``artifacts_dir``, as members under runs/<id>/."""
    base = workspace.runs_dir.resolve()
    out: dict[str, list[Source]] = {}
    for index, run in enumerate(runs):
        if run.artifacts_dir is None:
            out[run.id] = []
            continue
        field = f"extra.runs.{index}.artifacts_dir"
        directory = workspace.root / run.artifacts_dir  # a relative path is workspace-relative
        resolved = directory.resolve()
        if directory.is_symlink() or (resolved != base and base not in resolved.parents):
            raise UnsafeInput(
                "run artefacts must be a directory under the workspace's var/runs/",
                field=field,
                fix="copy the run's outputs under var/runs/<run-id>/ first",
            )
        if not resolved.is_dir():
            raise UnsafeInput("is not a directory", field=field)
        out[run.id] = _walk(
            resolved, f"{RUNS_PREFIX}{run.id}/", lambda _: "run", display=f"run {run.id}"
        )
    return out


def refuse_clashes(sources: Sequence[Source]) -> None:
    folded = Counter(unicodedata.normalize("NFC", s.name).casefold() for s in sources)
    for source in sources:
        if folded[unicodedata.normalize("NFC", source.name).casefold()] > 1:
            raise UnsafeInput(
                "clashes with another file whose name differs only in case",
                file=source.name,
                fix="rename one of them",
            )


def _walk(root: Path, prefix: str, role_of: Callable[[str], Role], *, display: str) -> list[Source]:
    sources: list[Source] = []
    for dirpath, dirnames, filenames in os.walk(root):
        directory = Path(dirpath)
        for name in dirnames:
            if (directory / name).is_symlink():
                raise _unsafe(directory / name, root, display, "is a symbolic link to a directory")
        for name in filenames:
            rel = (directory / name).relative_to(root).as_posix()
            source = _source(root, rel, prefix, role_of, display=display)
            if source is not None:
                sources.append(source)
    return sorted(sources, key=lambda s: s.name)


def _source(
    root: Path, rel: str, prefix: str, role_of: Callable[[str], Role], *, display: str
) -> Source | None:
    """One file as a member, or None for placeholders and temp files; refuses links."""
    path = root / rel
    if path.name in SKIPPED_NAMES or path.name.endswith(TMP_SUFFIX):
        return None
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        raise _unsafe(path, root, display, "is a symbolic link; packages hold files only")
    if not stat.S_ISREG(info.st_mode):
        raise _unsafe(path, root, display, "is not a regular file")
    if _BAD_NAME.search(rel):
        raise _unsafe(path, root, display, "has a backslash or control character")
    return Source(
        name=prefix + rel,
        path=path,
        role=role_of(rel),
        size=info.st_size,
        executable=bool(info.st_mode & stat.S_IXUSR),
    )


def _unsafe(path: Path, root: Path, display: str, problem: str) -> UnsafeInput:
    rel = path.relative_to(root).as_posix()
    return UnsafeInput(problem, file=f"{display}/{rel}", fix="replace it with a regular file")
