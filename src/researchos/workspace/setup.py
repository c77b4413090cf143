"""Creating, opening and locating workspaces."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

import platformdirs

from researchos.errors import Conflict, NotFound, WorkspaceError
from researchos.files import dump_yaml, load_yaml, write_atomic
from researchos.history.changes import author_of
from researchos.history.commits import ChangeMeta, format_message
from researchos.history.locks import named_lock
from researchos.workspace.layout import CONTENT_DIRS, GITIGNORE, MARKER, VAR_DIRS, Workspace
from researchos.workspace.policies import DEFAULT_POLICIES

LANDSCAPE_INDEX = "# Research landscape\n\nNo entries yet.\n"


def default_home() -> Path:
    """The per-user data directory used when neither PATH nor RESEARCHOS_HOME is given."""
    return Path(platformdirs.user_data_dir("researchos", appauthor=False))


def is_workspace(path: Path) -> bool:
    return (path / MARKER).is_file()


def open_workspace(path: Path) -> Workspace:
    """Open an existing workspace or say exactly how to make one."""
    path = path.expanduser()
    if not is_workspace(path):
        raise NotFound(
            f"no ResearchOS workspace at {path}",
            fix=f"run `researchos init {path}` or set RESEARCHOS_HOME",
        )
    workspace = Workspace(path.resolve())
    if not workspace.git.is_repository():
        raise WorkspaceError(
            f"workspace {path} is not a git repository",
            fix=f"run `git init` in {path}, or `researchos init {path}` again",
        )
    for name in VAR_DIRS:
        (workspace.root / name).mkdir(parents=True, exist_ok=True)
    return workspace


def init_workspace(path: Path, *, actor: str = "user") -> tuple[Workspace, bool]:
    """Create the layout of DESIGN §4 as a git repository; returns (workspace, created)."""
    path = path.expanduser()
    if is_workspace(path):
        workspace = Workspace(path.resolve())
        if not workspace.git.is_repository():
            workspace.git.init()
        _complete_layout(workspace, actor=actor)
        return workspace, False
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise Conflict(
            f"{path} is not empty and is not a ResearchOS workspace",
            fix="choose an empty or new directory",
        )
    path.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(path.resolve())
    workspace.git.init()
    _complete_layout(workspace, actor=actor)
    return workspace, True


def _complete_layout(workspace: Workspace, *, actor: str) -> None:
    """Create whatever part of the layout is missing and commit it; never overwrite."""
    root = workspace.root
    for name in VAR_DIRS:
        (root / name).mkdir(parents=True, exist_ok=True)
    with named_lock(workspace.locks_dir, "git"):
        files: dict[str, str] = {
            ".gitignore": GITIGNORE,
            "research-landscape/index.md": LANDSCAPE_INDEX,
        }
        for name in CONTENT_DIRS:
            files[f"{name}/.gitkeep"] = ""
        for name, policy in DEFAULT_POLICIES.items():
            files[f"system/{name}"] = dump_yaml(policy.model_dump(mode="json"))
        files[MARKER.as_posix()] = dump_yaml(
            {"format_version": 1, "id": str(uuid.uuid4()), "kind": "researchos-workspace"}
        )
        written = [rel for rel, text in files.items() if _write_if_missing(root / rel, text)]
        if not workspace.token_path.exists():
            write_atomic(workspace.token_path, secrets.token_urlsafe(32), mode=0o600)
        if written or workspace.git.head() is None:
            meta = ChangeMeta(
                event="workspace.init",
                scope="workspace",
                summary="create workspace layout"
                if workspace.git.head() is None
                else f"restore {len(written)} missing layout file(s)",
                actor=actor,
            )
            workspace.git.commit(written, format_message(meta), author=author_of(actor))


def _write_if_missing(path: Path, text: str) -> bool:
    if path.exists():
        return False
    write_atomic(path, text)
    return True


def workspace_id(workspace: Workspace) -> str:
    return str(load_yaml(workspace.root / MARKER)["id"])


def read_token(workspace: Workspace) -> str:
    return workspace.token_path.read_text("utf-8").strip()
