"""The composition root: ``build_app(settings)`` wires every part from the settings.

Nothing else reads settings or opens a database. Parts are built lazily on first use so a
command pays only for what it touches (``researchos ara show`` never starts the sandbox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from researchos.artifacts.service import AraService
from researchos.history.changes import recover
from researchos.history.locks import named_lock
from researchos.knowledge.embedding import load_embedder
from researchos.knowledge.retrieval import Retriever
from researchos.knowledge.service import KnowledgeBase, KnowledgeSettings
from researchos.logs import configure_logging
from researchos.settings import Settings, load_settings
from researchos.store.database import Database, sqlite_url
from researchos.workspace import Workspace, default_home, init_workspace, open_workspace

# content that a crash may leave uncommitted; var/ and packages/ are not content
RECOVERABLE = ("ara/", "research-landscape/", "proposals/", "agents/", "system/", "knowledge/")


def resolve_home(settings: Settings, path: Path | None = None) -> Path:
    """PATH argument, then RESEARCHOS_HOME, then the per-user data directory."""
    return (path or settings.home or default_home()).expanduser()


@dataclass
class App:
    settings: Settings
    workspace: Workspace
    _closed: bool = field(default=False, init=False)

    @property
    def actor(self) -> str:
        actor = self.settings.actor
        return actor if ":" in actor else f"user:{actor}"

    @cached_property
    def database(self) -> Database:
        url = self.settings.database_url or sqlite_url(self.workspace.db_path)
        database = Database(url)
        with named_lock(self.workspace.locks_dir, "migrate"):
            database.migrate()
        return database

    @cached_property
    def aras(self) -> AraService:
        return AraService(self.workspace, self.database, self.actor)

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        settings = self.settings
        retriever = Retriever(self.database, load_embedder(settings.knowledge_embedder))
        return KnowledgeBase(
            self.workspace,
            self.database,
            retriever,
            actor=self.actor,
            settings=KnowledgeSettings(
                stale_days=settings.knowledge_stale_days,
                duplicate_threshold=settings.knowledge_duplicate_threshold,
                token_budget=settings.knowledge_token_budget,
            ),
        )

    def recover(self) -> str | None:
        """Commit content an interrupted change left behind (see history.changes)."""
        return recover(
            self.workspace.root,
            self.workspace.var_dir,
            actor=self.actor,
            content_prefixes=RECOVERABLE,
        )

    def close(self) -> None:
        if "knowledge" in self.__dict__:
            self.knowledge.retriever.close()
        if "database" in self.__dict__:
            self.database.dispose()
        self._closed = True


def build_app(
    settings: Settings | None = None,
    *,
    home: Path | None = None,
    create: bool = False,
    recover_on_start: bool = True,
) -> App:
    """Open (or with ``create`` initialise) the workspace and wire the app around it."""
    settings = settings or load_settings()
    root = resolve_home(settings, home)
    workspace = init_workspace(root, actor=settings.actor)[0] if create else open_workspace(root)
    configure_logging(
        settings.log_level, workspace.logs_dir / "researchos.log" if settings.log_file else None
    )
    app = App(settings=settings, workspace=workspace)
    if recover_on_start:
        app.recover()
    return app
