"""Helpers shared by the knowledge tests (imported by name: tests have no packages)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from knowledge_corpus import PAGES, page_text

from researchos.app import App, build_app
from researchos.knowledge.page import parse_page
from researchos.settings import load_settings


def database_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    if backend != "postgres":
        return None
    server = request.getfixturevalue("pg_server")
    name = f"kn_{uuid.uuid4().hex[:12]}"
    server.psql(f"CREATE DATABASE {name};")
    return server.get_uri(database=name, driver="psycopg")


def make_app(url: str | None = None, **settings: Any) -> App:
    return build_app(load_settings(database_url=url, **settings), create=True)


def load_corpus(app: App) -> None:
    pages = [
        parse_page(page_text(pid, kind, title, body), display=pid)
        for pid, kind, title, body in PAGES
    ]
    app.knowledge.write_pages(pages, event="knowledge.add", summary="load test corpus")


def write_page(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path
