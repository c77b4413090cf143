"""Where everything lives in a workspace (DESIGN §4)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from researchos.history.git import Git

MARKER = Path("system/workspace.yaml")

CONTENT_DIRS = (
    "ara",
    "research-landscape/known-results",
    "research-landscape/hypotheses",
    "research-landscape/retracted",
    "proposals",
    "agents",
    "system",
    "packages",
    "knowledge/pages",
    "knowledge/snapshots",
)
VAR_DIRS = ("var/secrets", "var/outbox", "var/runs", "var/locks", "var/logs")

GITIGNORE = """\
# operational state, secrets and scratch: never in git
/var/
# frozen packages are kept out of git; their manifests are tracked
/packages/**/*.zip
/packages/**/*.sig
# half-written files from an interrupted atomic write
*.researchos-tmp
__pycache__/
"""


@dataclass(frozen=True)
class Workspace:
    """A ResearchOS workspace rooted at ``root`` (a git repository)."""

    root: Path

    @property
    def git(self) -> Git:
        return Git(self.root)

    @property
    def ara_dir(self) -> Path:
        return self.root / "ara"

    def ara_path(self, slug: str) -> Path:
        return self.ara_dir / slug

    @property
    def landscape_dir(self) -> Path:
        return self.root / "research-landscape"

    @property
    def proposals_dir(self) -> Path:
        return self.root / "proposals"

    @property
    def agents_dir(self) -> Path:
        return self.root / "agents"

    @property
    def knowledge_dir(self) -> Path:
        return self.root / "knowledge"

    @property
    def system_dir(self) -> Path:
        return self.root / "system"

    @property
    def packages_dir(self) -> Path:
        return self.root / "packages"

    @property
    def var_dir(self) -> Path:
        return self.root / "var"

    @property
    def locks_dir(self) -> Path:
        return self.var_dir / "locks"

    @property
    def secrets_dir(self) -> Path:
        return self.var_dir / "secrets"

    @property
    def runs_dir(self) -> Path:
        return self.var_dir / "runs"

    @property
    def outbox_dir(self) -> Path:
        return self.var_dir / "outbox"

    @property
    def logs_dir(self) -> Path:
        return self.var_dir / "logs"

    @property
    def db_path(self) -> Path:
        return self.var_dir / "researchos.db"

    @property
    def token_path(self) -> Path:
        return self.var_dir / "token"

    def relative(self, path: Path) -> str:
        """``path`` as a POSIX path relative to the workspace root."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()
