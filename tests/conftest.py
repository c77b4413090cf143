"""Shared fixtures: every test gets its own real workspace (git repo + SQLite) on tmp_path."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from researchos.app import App, build_app
from researchos.settings import load_settings

_ENV_PREFIXES = ("RESEARCHOS_", "OPENAI_", "ANTHROPIC_", "APP_MASTER_KEY", "GITHUB_TOKEN")
_KEEP = ("RESEARCHOS_TEST_POSTGRES",)


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No setting leaks in from the developer's environment or a .env file."""
    for key in list(os.environ):
        if key.startswith(_ENV_PREFIXES) and key not in _KEEP:
            monkeypatch.delenv(key, raising=False)
    home = tmp_path / "ws"
    monkeypatch.setenv("RESEARCHOS_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    yield home


@pytest.fixture
def app(clean_env: Path) -> Iterator[App]:
    application = build_app(load_settings(), create=True)
    yield application
    application.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run ``researchos ARGS`` in-process through the real entry point (``run``)."""
    from researchos.cli.main import run

    def invoke(*args: str) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["researchos", *args])
        capsys.readouterr()
        try:
            run()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke
