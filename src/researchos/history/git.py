"""A thin wrapper over the ``git`` command line for the workspace repository.

Only this module runs git. Commits never depend on the user's git configuration: author,
committer, signing and hooks are set per call, so a workspace works on a fresh machine.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from researchos.errors import WorkspaceError

COMMITTER = ("ResearchOS", "researchos@localhost")
_BASE_CONFIG = (
    "-c",
    "commit.gpgsign=false",
    "-c",
    "core.quotepath=off",
    "-c",
    "core.autocrlf=false",
    "-c",
    "gc.autoDetach=true",
)


@dataclass(frozen=True)
class Git:
    root: Path

    def run(
        self,
        *args: str,
        input: str | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        full_env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "GIT_COMMITTER_NAME": COMMITTER[0],
            "GIT_COMMITTER_EMAIL": COMMITTER[1],
        }
        if env:
            full_env.update(env)
        try:
            proc = subprocess.run(
                ["git", *_BASE_CONFIG, *args],
                cwd=self.root,
                input=input,
                capture_output=True,
                text=True,
                env=full_env,
                encoding="utf-8",
                errors="replace",
            )
        except FileNotFoundError:
            raise WorkspaceError(
                "git is not installed", fix="install git (apt-get install -y git)"
            ) from None
        if check and proc.returncode != 0:
            raise WorkspaceError(
                f"git {args[0]} failed in {self.root}: {proc.stderr.strip() or proc.stdout.strip()}"
            )
        return proc

    def is_repository(self) -> bool:
        if not (self.root / ".git").exists():
            return False
        proc = self.run("rev-parse", "--show-toplevel", check=False)
        return proc.returncode == 0 and Path(proc.stdout.strip()).resolve() == self.root.resolve()

    def init(self) -> None:
        self.run("init", "-q", "-b", "main")

    def head(self) -> str | None:
        return self._head_from_files() or self._head_from_git()

    def _head_from_git(self) -> str | None:
        proc = self.run("rev-parse", "--verify", "-q", "HEAD", check=False)
        return proc.stdout.strip() or None

    def _head_from_files(self) -> str | None:
        """Read HEAD without spawning git (the common loose-ref case); None if unsure."""
        git_dir = self.root / ".git"
        try:
            head = (git_dir / "HEAD").read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not head.startswith("ref: "):
            return head if len(head) == 40 else None
        try:
            value = (git_dir / head[5:]).read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None  # packed or unborn ref: let git answer
        return value if len(value) == 40 else None

    def commit(self, paths: Sequence[str], message: str, *, author: tuple[str, str]) -> str:
        """Stage exactly ``paths`` (additions, edits, deletions) and commit them."""
        if paths:
            self.run("add", "-A", "--", *paths)
        env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
        self.run("commit", "-q", "--no-verify", "--allow-empty", "-F", "-", input=message, env=env)
        head = self.head()
        assert head is not None
        return head

    def dirty_paths(self) -> list[str]:
        """Paths with uncommitted changes, staged or not, including untracked files."""
        proc = self.run("status", "--porcelain=v1", "-z", "--untracked-files=all")
        entries = proc.stdout.split("\0")
        paths: list[str] = []
        skip_next = False
        for entry in entries:
            if skip_next:
                skip_next = False
                continue
            if len(entry) < 4:
                continue
            status, path = entry[:2], entry[3:]
            paths.append(path)
            if status[0] in "RC":
                skip_next = True  # the rename source follows; the destination is enough
        return paths
