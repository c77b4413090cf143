"""Fixtures for sandbox tests: run a hostile script in a real bwrap sandbox and inspect the host."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from researchos.app import App
from researchos.runs.models import RunRecord, RunSpec

HOSTILE = Path(__file__).parent / "hostile"
SECRET = "researchos-test-secret-" + secrets.token_hex(8)
# small limits keep the whole corpus well under a minute
SMALL = {
    "wall_time": 8,
    "cpu_time": 4,
    "memory": "256m",
    "processes": 32,
    "file_size": "8m",
    "output_size": "16m",
}


@dataclass
class Attack:
    record: RunRecord
    stdout: str
    stderr: str
    run_dir: Path


def host_files(root: Path, skip: Path | None = None) -> set[str]:
    """Every path under the workspace except what runs are allowed to change."""
    ignored = ("var/runs/", "var/researchos.db", "var/logs/", "var/locks/", ".git/")
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            rel = (Path(dirpath) / name).relative_to(root).as_posix()
            if not rel.startswith(ignored):
                found.add(rel)
    return found


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(entry))
    return found


def uid_processes(uid: int | None) -> list[int]:
    if uid is None:
        return []
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    found.append(int(entry))
            except OSError:
                continue
    return found


@pytest.fixture
def processes_with() -> Callable[[str], list[int]]:
    """Host processes whose command line holds ``marker``."""
    return _processes_with


@pytest.fixture
def workspace_secret(app: App) -> str:
    app.workspace.secrets_dir.mkdir(parents=True, exist_ok=True)
    path = app.workspace.secrets_dir / "token.enc"
    path.write_text(SECRET)
    path.chmod(0o600)
    return SECRET


@pytest.fixture
def attack(app: App, workspace_secret: str, tmp_path: Path) -> Callable[..., Attack]:
    """Run ``hostile/<name>.py`` under bwrap with small limits; check the host afterwards."""
    host_dir = tmp_path / "host"
    host_dir.mkdir()

    def run(name: str, *, limits: dict | None = None, env: dict | None = None) -> Attack:
        before = host_files(app.workspace.root)
        spec = RunSpec(
            command=["python", "attack.py"],
            files={"attack.py": (HOSTILE / f"{name}.py").read_text()},
            runner="bwrap",
            limits={**SMALL, **(limits or {})},
            env={
                "WORKSPACE": str(app.workspace.root),
                "HOST_DIR": str(host_dir),
                **(env or {}),
            },
        )
        record = app.runs.run(spec)
        run_dir = app.workspace.runs_dir / record.id
        assert record.runner == "bwrap", record.error
        assert host_files(app.workspace.root) == before, "the workspace changed outside the run"
        assert list(host_dir.iterdir()) == [], "the run wrote into a host directory"
        assert uid_processes(record.sandbox_uid) == [], "processes of the run survived it"
        stdout = (run_dir / "logs" / "stdout.log").read_text(errors="replace")
        stderr = (run_dir / "logs" / "stderr.log").read_text(errors="replace")
        assert workspace_secret not in stdout + stderr
        return Attack(record, stdout, stderr, run_dir)

    return run
