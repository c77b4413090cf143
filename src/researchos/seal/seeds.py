"""Were the seeds registered before the first run? Read from the ARA's git history.

The order is git's (``git log --reverse``), not clock time: a spec committed in the same
second as the first run's evidence still counts as before only if its commit comes first.
A seed counts as registered from the first commit where some spec under ``code/specs/``
lists it. The first run's evidence is the first commit that adds a file under the recorded
runs directory or a run log (``evidence/raw/run-*.log``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from researchos.errors import InputError
from researchos.history.git import Git
from researchos.seal.specs import seeds_in_text

_SEED_DIR = re.compile(r"/seed-(\d+)/")
_RUN_LOG = re.compile(r"/evidence/raw/run-[^/]+\.log$")
_RECORD, _FIELD = "\x1e", "\x1f"


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    index: int

    def describe(self) -> str:
        return f"commit {self.sha[:12]} ({self.date})"


@dataclass
class SeedHistory:
    registered: dict[int, tuple[Commit, str]] = field(default_factory=dict)
    first_run: Commit | None = None
    recorded: dict[int, Commit] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)


def _log(git: Git, prefix: str, specs: str, runs: str) -> list[tuple[Commit, list[str]]]:
    if git.head() is None:
        return []
    out = git.run(
        "log",
        "--reverse",
        "--no-renames",
        f"--format={_RECORD}%H{_FIELD}%aI",
        "--name-only",
        "--",
        f"{prefix}/{specs}",
        f"{prefix}/{runs}",
        f"{prefix}/evidence/raw",
    ).stdout
    commits = []
    for index, record in enumerate(r for r in out.split(_RECORD) if r.strip()):
        head, _, rest = record.partition("\n")
        sha, date = head.split(_FIELD)
        files = [line for line in rest.splitlines() if line.strip()]
        commits.append((Commit(sha, date, index), files))
    return commits


def seed_history(git: Git, slug: str, specs_dir: str, runs_dir: str) -> SeedHistory:
    prefix = f"ara/{slug}"
    history = SeedHistory()
    for commit, files in _log(git, prefix, specs_dir, runs_dir):
        for path in files:
            if path.startswith(f"{prefix}/{specs_dir}/") and path.endswith((".yaml", ".yml")):
                _register(git, history, commit, path, prefix)
            elif path.startswith(f"{prefix}/{runs_dir}/") or _RUN_LOG.search(path):
                history.first_run = history.first_run or commit
                if match := _SEED_DIR.search(path[len(prefix) + len(runs_dir) + 1 :]):
                    history.recorded.setdefault(int(match.group(1)), commit)
    return history


def _register(git: Git, history: SeedHistory, commit: Commit, path: str, prefix: str) -> None:
    shown = git.run("show", f"{commit.sha}:{path}", check=False)
    if shown.returncode != 0:
        return  # deleted in this commit
    relative = path[len(prefix) + 1 :]
    try:
        seeds = seeds_in_text(shown.stdout, f"{relative} at {commit.sha[:12]}")
    except InputError:
        history.unreadable.append(f"{relative} at {commit.describe()}")
        return
    for seed in seeds:
        history.registered.setdefault(seed, (commit, relative))
