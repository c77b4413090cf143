"""Engine, sessions and start-up migrations for the operational store.

SQLite (WAL mode, busy timeout, foreign keys) is the default; any SQLAlchemy URL works,
PostgreSQL through ``postgresql+psycopg://``. Migrations (Alembic) run when the database is
opened and are skipped in one query when it is already current.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from researchos.errors import ConfigError, WorkspaceError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgres_options(url: str) -> dict[str, Any]:
    """No JIT: compiling a plan costs tens of milliseconds, more than the store's queries run
    (a recursive query's row estimate alone can cross jit_above_cost). Options given in the
    URL are kept."""
    if not url.startswith("postgresql"):
        return {}
    given = make_url(url).query.get("options")
    given = given if isinstance(given, str) else " ".join(given or ())
    return {"options": f"{given} -c jit=off".strip()}


def make_engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True, connect_args=_postgres_options(url))
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise ConfigError(
            f"cannot use database URL: {exc}",
            fix="check RESEARCHOS_DATABASE_URL (and `pip install "
            "'researchos[postgres]'` for PostgreSQL)",
        ) from None


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config  # Alembic loads only when a migration check runs

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser syntax
    return config


@dataclass
class Database:
    """The operational store: an engine plus a session factory."""

    url: str
    engine: Engine = field(init=False)
    _sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> bool:
        """Bring the schema to the newest revision; returns True when something ran."""
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = _alembic_config(self.engine)
        heads = set(ScriptDirectory.from_config(config).get_heads())
        try:
            with self.engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
                if current == heads:
                    return False
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "heads")
        except SQLAlchemyError as exc:
            raise WorkspaceError(
                f"database migration failed: {exc}",
                fix="check RESEARCHOS_DATABASE_URL and that the database is reachable",
            ) from None
        log.info("store migrated to %s", ", ".join(sorted(heads)))
        return True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A Core connection in one transaction, committed on success: for hot one-statement
        writes (a run's state changes), where a session's unit of work costs more than the
        statement itself."""
        with self.engine.begin() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
