"""Files of a cell: the harness put into the work dir, what the agent changed, the oracle's copy.

The harness lives in ``.researchos/`` of the work dir: ``task.json`` (the task, the test
command, forbidden paths, the channel), ``run_tests.py`` (the test wrapper), ``TASK.md`` (the
prompt), ``brief.json`` (static brief condition) and ``agent/`` (scripted agents). Everything
else is the fixture repo as the agent left it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from researchos.files import sha256_file
from researchos.runs.record import SKIP_DIRS

HARNESS_DIR = ".researchos"
MAX_LOG_BYTES = 1 << 20


def tree(root: Path, *, skip_harness: bool = True) -> dict[str, str]:
    """relative path -> sha256 of every regular file (symlinks as ``link:<target>``)."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS and not (skip_harness and base == root and d == HARNESS_DIR)
        )
        for name in sorted(filenames) + [d for d in dirnames if (base / d).is_symlink()]:
            path = base / name
            rel = path.relative_to(root).as_posix()
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                found[rel] = f"link:{os.readlink(path)}"
            elif stat.S_ISREG(mode) and not name.endswith(".pyc"):
                found[rel] = sha256_file(path)  # streamed: an agent may leave big files
    return found


def changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, list[str]]:
    return {
        "added": sorted(set(after) - set(before)),
        "modified": sorted(p for p in set(after) & set(before) if after[p] != before[p]),
        "deleted": sorted(set(before) - set(after)),
    }


def matches(path: str, patterns: Iterable[str]) -> bool:
    """``vendor/**`` matches everything under vendor/; other patterns are fnmatch globs."""
    for pattern in patterns:
        if pattern.endswith("/**") and (path + "/").startswith(pattern[:-2]):
            return True
        if fnmatch.fnmatchcase(path, pattern):
            return True
    return False


def forbidden_edits(diff: Mapping[str, list[str]], patterns: Iterable[str]) -> list[str]:
    patterns = list(patterns)
    touched = diff["added"] + diff["modified"] + diff["deleted"]
    return sorted(p for p in touched if matches(p, patterns))


def read_test_log(workdir: Path) -> list[dict[str, Any]]:
    """The wrapper's log; lines that are not JSON objects (an agent wrote them) are skipped."""
    path = workdir / HARNESS_DIR / "test-log.jsonl"
    if not path.is_file() or path.is_symlink():
        return []
    with path.open("rb") as handle:
        raw = handle.read(MAX_LOG_BYTES)
    entries = []
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("passed"), bool):
            entries.append({"passed": entry["passed"], "exit_code": entry.get("exit_code")})
    return entries


def oracle_tree(
    workdir: Path,
    fixture_repo: Path,
    dest: Path,
    *,
    restore: Iterable[str],
    hidden_tests: Path | None,
) -> None:
    """The code the oracle judges: the agent's files, with restored paths back to pristine.

    Restored paths (forbidden ones and the tests) are what the agent may not change: an edit
    there is counted as a forbidden edit and never judged. Symlinks are not carried over.
    """
    patterns = list(restore)
    agent_files = tree(workdir)
    pristine = tree(fixture_repo, skip_harness=False)
    for rel, digest in agent_files.items():
        if digest.startswith("link:") or matches(rel, patterns):
            continue
        _copy(workdir / rel, dest / rel)
    for rel in pristine:
        if matches(rel, patterns):
            _copy(fixture_repo / rel, dest / rel)
    if hidden_tests is not None and hidden_tests.is_dir():
        for path in sorted(hidden_tests.glob("*.py")):
            _copy(path, dest / "tests" / path.name)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
