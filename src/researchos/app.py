"""The composition root: ``build_app(settings)`` wires every part from the settings.

Nothing else reads settings or opens a database. Parts are built lazily on first use so a
command pays only for what it touches (``researchos ara show`` never starts the sandbox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from researchos.artifacts.service import AraService
from researchos.history.changes import recover
from researchos.history.locks import named_lock
from researchos.logs import configure_logging
from researchos.settings import Settings, load_settings
from researchos.store.database import Database, sqlite_url
from researchos.workspace import Workspace, default_home, init_workspace, open_workspace

# The heavier parts are imported inside their properties: a command pays only for what it uses.
if TYPE_CHECKING:
    from researchos.agentruns import AgentRunService
    from researchos.credentials import SecretStore
    from researchos.distill import Distiller
    from researchos.kits.registry import KitRegistry
    from researchos.knowledge.service import KnowledgeBase
    from researchos.landscape.service import LandscapeService
    from researchos.learning.service import LearningService
    from researchos.matrix.service import MatrixService
    from researchos.package.service import PackageService
    from researchos.providers.router import ProviderRouter
    from researchos.runs.executors import Executor
    from researchos.runs.service import RunService
    from researchos.sandbox import Sandbox
    from researchos.sandbox.environments import EnvironmentCache
    from researchos.seal import SealService

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
        return self.settings.actor_ref

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

    @property
    def run_mode(self) -> str:
        """The effective run mode (mock / smoke / production) from the routing policy."""
        return self.router.mode

    @cached_property
    def packages(self) -> PackageService:
        from researchos.package.service import PackageService

        return PackageService(self.workspace, self.database, self.actor)

    @cached_property
    def secrets(self) -> SecretStore:
        from researchos.credentials import SecretStore

        return SecretStore(
            self.workspace.secrets_dir,
            self.database,
            master_key=self.settings.master_key,
            actor=self.actor,
            locks_dir=self.workspace.locks_dir,
        )

    @cached_property
    def router(self) -> ProviderRouter:
        from researchos.providers.wiring import build_router

        return build_router(
            self.settings, self.workspace, self.database, self.secrets, actor=self.actor
        )

    @cached_property
    def kits(self) -> KitRegistry:
        """Experiment kits: the built-ins and every ``researchos.kits`` plugin installed."""
        from researchos.kits.registry import default_registry  # plugins load on first use

        registry = default_registry()
        registry.discover()
        return registry

    @cached_property
    def sandbox(self) -> Sandbox:
        from researchos.sandbox import Sandbox, SandboxConfig

        return Sandbox(SandboxConfig.from_settings(self.settings))

    @cached_property
    def environments(self) -> EnvironmentCache:
        from researchos.sandbox.environments import EnvironmentCache

        return EnvironmentCache(
            root=self.workspace.var_dir / "envs", locks_dir=self.workspace.locks_dir
        )

    @cached_property
    def runs(self) -> RunService:
        from researchos.runs.service import RunService

        return RunService(
            workspace=self.workspace,
            database=self.database,
            sandbox=self.sandbox,
            environments=self.environments,
            aras=lambda: self.aras,
            actor=self.actor,
        )

    @cached_property
    def landscape(self) -> LandscapeService:
        """The research landscape; the router is built only when a check needs a model."""
        from researchos.landscape.service import LandscapeService

        return LandscapeService(
            self.workspace,
            self.aras,
            router=lambda: self.router,
            database=self.database,
            actor=self.actor,
        )

    @cached_property
    def executor(self) -> Executor:
        """The configured executor (local pool or Dask); shut down by ``close``."""
        if self.settings.executor == "dask":
            from researchos.runs.dask import DaskExecutor

            return DaskExecutor(self.runs, address=self.settings.dask_address)
        from researchos.runs.executors import LocalExecutor

        return LocalExecutor(self.runs, workers=self.settings.executor_workers)

    @cached_property
    def learning(self) -> LearningService:
        """Agent roles (persona, constraints, skills) and the ranking of dead ends."""
        from researchos.learning.service import LearningService

        return LearningService(self.workspace, self.aras, database=self.database, actor=self.actor)

    @cached_property
    def seal(self) -> SealService:
        """Seal L1-L3 over ARAs (docs/seal.md)."""
        from researchos.seal import SealService

        return SealService(self)

    @cached_property
    def distiller(self) -> Distiller:
        """The session distiller, with Seal L1 run on every ARA it writes."""
        from researchos.distill import Distiller, after_distill, limits_for
        from researchos.seal.hooks import after_distill_seal

        after_distill(after_distill_seal)
        return Distiller(self, limits_for(self.settings))

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        """Knowledge pages, hybrid retrieval and work briefs (docs/knowledge.md)."""
        from researchos.knowledge.embedding import load_embedder
        from researchos.knowledge.retrieval import Retriever
        from researchos.knowledge.service import KnowledgeBase, KnowledgeSettings

        settings = self.settings
        retriever = Retriever(
            self.database,
            load_embedder(settings.knowledge_embedder),
            exact_vectors_max=settings.knowledge_exact_vectors_max,
        )
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

    @cached_property
    def agent_runs(self) -> AgentRunService:
        """Work briefs handed to agents and the runs they record (docs/mcp.md)."""
        from researchos.agentruns import AgentRunService

        return AgentRunService(self.database, actor=self.actor)

    @cached_property
    def matrix(self) -> MatrixService:
        """Agent-run matrices (docs/matrix.md); each cell gets an MCP server on a unix socket."""
        import os
        from functools import partial

        from researchos.matrix.service import MatrixDeps, MatrixService
        from researchos.mcp.cell import cell_channel

        return MatrixService(
            MatrixDeps(
                workspace=self.workspace,
                database=self.database,
                runs=self.runs,
                protocol=self.agent_runs,
                knowledge=lambda: self.knowledge,
                aras=lambda: self.aras,
                channel=partial(cell_channel, self),
                workers=self.settings.executor_workers or os.cpu_count() or 1,
            )
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
        if "router" in self.__dict__:
            self.router.close()
        if "executor" in self.__dict__:
            self.executor.shutdown(wait=True)
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
    workspace = (
        init_workspace(root, actor=settings.actor_ref)[0] if create else open_workspace(root)
    )
    configure_logging(
        settings.log_level, workspace.logs_dir / "researchos.log" if settings.log_file else None
    )
    app = App(settings=settings, workspace=workspace)
    if recover_on_start:
        app.recover()
    return app
