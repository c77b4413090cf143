"""A kit ARA built once per session (a real kit run in the real sandbox) and copied per test."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from researchos.app import App, build_app
from researchos.settings import load_settings

sys.path.insert(0, str(Path(__file__).parent))

_ENV_PREFIXES = ("RESEARCHOS_", "OPENAI_", "ANTHROPIC_", "APP_MASTER_KEY")


@pytest.fixture(scope="session")
def kit_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding ARA ``mc-pi``: spec, code, one sandboxed run, analysis."""
    from kit_ara import build_kit_ara

    home = tmp_path_factory.mktemp("kit-template") / "ws"
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith(_ENV_PREFIXES):
                patch.delenv(key, raising=False)
        application = build_app(load_settings(), home=home, create=True)
        try:
            build_kit_ara(application)
        finally:
            application.close()
    return home


@pytest.fixture
def kit_app(kit_template: Path, clean_env: Path) -> Iterator[App]:
    """A fresh copy of the kit workspace (run scratch left out) as this test's app."""
    var = kit_template / "var"

    def scratch(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if Path(directory) == var and n in ("runs", "locks")]

    shutil.copytree(kit_template, clean_env, ignore=scratch)
    application = build_app(load_settings())
    yield application
    application.close()


@pytest.fixture(autouse=True)
def mock_reviewers_may_promote(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests exercise the promotion rules with the mock reviewers standing in for two
    models, so they switch on the policy that lets the mock promote (off by default)."""
    from researchos.seal import service

    real = service.load_seal_policy

    def allowing(workspace):  # type: ignore[no-untyped-def]
        return real(workspace).model_copy(update={"promote_with_mock_reviewers": True})

    monkeypatch.setattr(service, "load_seal_policy", allowing)
