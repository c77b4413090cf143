import subprocess

import pytest

from researchos.errors import Conflict, NotFound, WorkspaceError
from researchos.workspace import init_workspace, open_workspace
from researchos.workspace.layout import CONTENT_DIRS


def git(root, *args):
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_init_creates_layout_as_git_repository(tmp_path):
    workspace, created = init_workspace(tmp_path / "w")
    root = workspace.root
    assert created
    for name in CONTENT_DIRS:
        assert (root / name).is_dir(), name
    for name in ("var/secrets", "var/outbox", "var/runs", "var/locks"):
        assert (root / name).is_dir()
    assert (root / "system/seal-policy.yaml").read_text().startswith("format_version: 1")
    assert "confidence_floor: 0.85" in (root / "system/seal-policy.yaml").read_text()
    assert "skill_budget: 20" in (root / "system/learning-policy.yaml").read_text()
    assert "/var/" in (root / ".gitignore").read_text()
    log = git(root, "log", "--format=%s")
    assert log.strip() == "workspace.init(workspace): create workspace layout"
    assert git(root, "status", "--porcelain") == ""
    assert (root / "var/token").stat().st_mode & 0o777 == 0o600
    tracked = git(root, "ls-files")
    assert "var/" not in tracked


def test_init_is_idempotent(tmp_path):
    workspace, _ = init_workspace(tmp_path / "w")
    head = git(workspace.root, "rev-parse", "HEAD")
    again, created = init_workspace(tmp_path / "w")
    assert not created
    assert git(again.root, "rev-parse", "HEAD") == head


def test_init_restores_missing_layout_without_overwriting(tmp_path):
    workspace, _ = init_workspace(tmp_path / "w")
    policy = workspace.root / "system/seal-policy.yaml"
    policy.write_text(policy.read_text().replace("0.85", "0.9"))
    git(workspace.root, "commit", "-qam", "tune")
    (workspace.root / "proposals/.gitkeep").unlink()
    init_workspace(tmp_path / "w")
    assert "0.9" in policy.read_text()
    assert (workspace.root / "proposals/.gitkeep").exists()
    assert git(workspace.root, "log", "-1", "--format=%s").startswith("workspace.init")


def test_init_refuses_non_empty_directory(tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(Conflict) as info:
        init_workspace(target)
    assert "not empty" in str(info.value)
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_open_missing_workspace_says_how_to_create_it(tmp_path):
    with pytest.raises(NotFound) as info:
        open_workspace(tmp_path / "nothing")
    assert "researchos init" in str(info.value)


def test_workspace_that_is_not_a_git_repository(tmp_path):
    workspace, _ = init_workspace(tmp_path / "w")
    subprocess.run(["rm", "-rf", str(workspace.root / ".git")], check=True)
    with pytest.raises(WorkspaceError) as info:
        open_workspace(workspace.root)
    assert "not a git repository" in str(info.value)


def test_cli_init_uses_researchos_home(cli, clean_env):
    result = cli("init", "--json")
    assert result.code == 0
    assert str(clean_env) in result.out
    assert (clean_env / "system/workspace.yaml").exists()
    second = cli("init")
    assert "already exists" in second.out
