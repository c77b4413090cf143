"""Fixtures of the compiler tests: generated papers on disk and a compile helper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import paperfactory
import pytest

from researchos.app import App
from researchos.compile.compiler import CompileResult, compile_paper
from researchos.compile.limits import CompileLimits


@pytest.fixture
def sample_pdf(tmp_path: Path) -> tuple[Path, list[paperfactory.Page]]:
    data, pages = paperfactory.sample_paper()
    path = tmp_path / "gradient-noise.pdf"
    path.write_bytes(data)
    return path, pages


@pytest.fixture
def compile_into(app: App) -> Callable[..., CompileResult]:
    router = app.router  # built now: its policy commit is not part of any compile

    def run(path: Path, slug: str | None = None, limits: CompileLimits | None = None):
        return compile_paper(path, aras=app.aras, router=router, slug=slug, limits=limits)

    return run
