"""How a command reaches the app: one lazily built ``App`` per invocation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from researchos.settings import Settings, load_settings

if TYPE_CHECKING:  # the app (SQLAlchemy, pydantic models) loads when a command needs it
    from researchos.app import App


@dataclass
class CliState:
    home: Path | None = None
    _settings: Settings | None = None
    _app: App | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    def app(self, *, create: bool = False) -> App:
        if self._app is None:
            from researchos.app import build_app

            self._app = build_app(self.settings, home=self.home, create=create)
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def get_app(ctx: typer.Context, *, create: bool = False) -> App:
    """The app of this invocation; ``create`` initialises the workspace when it is missing."""
    return state(ctx).app(create=create)
