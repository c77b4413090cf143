"""The agent-run and matrix tables: the migration creates exactly what the models declare."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from researchos.store.database import MIGRATIONS, Database, _alembic_config
from researchos.store.schema import metadata

OURS = {"agent_briefs", "agent_runs", "agent_run_events", "matrices", "matrix_cells"}


def test_the_merge_revision_joins_every_earlier_head(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    database.migrate()
    script = ScriptDirectory.from_config(_alembic_config(database.engine))
    assert script.get_heads() == ["0008_agent_runs"]
    merged = script.get_revision("0008_agent_runs")
    assert set(merged.down_revision) == {"0003_runs", "0004_knowledge", "0006_distill", "0007_seal"}
    assert (Path(MIGRATIONS) / "versions" / "0008_agent_runs.py").is_file()
    with database.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), metadata)
    ours = [d for d in diffs if any(table in repr(d) for table in OURS)]
    assert ours == []
    database.dispose()
