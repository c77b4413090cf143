"""Fixtures of the distiller tests: the transcript files and a way to swap the mock's answer."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from researchos.app import App
from researchos.distill import Distiller, limits_for
from researchos.distill.mock import distil_events
from researchos.providers.mock import responders
from researchos.providers.mock.responders import find_responder, mock_responder
from researchos.providers.types import ModelRequest

FIXTURES = Path(__file__).parent / "fixtures"
Answer = Callable[[ModelRequest, random.Random], Any]


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    """A private copy of the fixture transcripts (tests may touch their files)."""
    copy = tmp_path / "transcripts"
    shutil.copytree(FIXTURES, copy)
    return copy


@pytest.fixture
def distiller(app: App) -> Distiller:
    return Distiller(app, limits_for(app.settings))


@pytest.fixture
def answer_with() -> Iterator[Callable[[Answer], None]]:
    """Register a temporary mock responder for ``distillation``; the real one comes back after."""
    find_responder("distillation")  # load the registered modules first

    def swap(answer: Answer) -> None:
        responders.unregister("distillation")
        mock_responder("distillation")(answer)

    yield swap
    responders.unregister("distillation")
    mock_responder("distillation")(distil_events)
