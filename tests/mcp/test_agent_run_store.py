"""The agent-run and matrix tables: the migration creates exactly what the models declare, and
runs round-trip through the store (SQLite always; PostgreSQL with RESEARCHOS_TEST_POSTGRES=1)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from researchos.agentruns import AgentRunService
from researchos.store.database import MIGRATIONS, Database, _alembic_config
from researchos.store.schema import metadata

OURS = {"agent_briefs", "agent_runs", "agent_run_events", "matrices", "matrix_cells"}


def test_the_merge_revision_joins_every_earlier_head(database_url: str) -> None:
    database = Database(database_url)
    database.migrate()
    script = ScriptDirectory.from_config(_alembic_config(database.engine))
    (head,) = script.get_heads()  # one head: later revisions build on the merge
    assert "0008_agent_runs" in {rev.revision for rev in script.walk_revisions("base", head)}
    merged = script.get_revision("0008_agent_runs")
    assert set(merged.down_revision) == {"0003_runs", "0004_knowledge", "0006_distill", "0007_seal"}
    assert (Path(MIGRATIONS) / "versions" / "0008_agent_runs.py").is_file()
    with database.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in diffs if any(table in repr(d) for table in OURS)] == []
    database.dispose()


def test_runs_and_events_round_trip(database_url: str) -> None:
    database = Database(database_url)
    database.migrate()
    service = AgentRunService(database)
    run = service.start(task="t" * 4000, agent="a", gated=False, tag="matrix:x:y")
    service.record_event(run.id, "file_edited", {"file": "src/ü.py", "note": "ünïcode"})
    service.record_event(run.id, "test_run", {"passed": False, "exit_code": 1})
    done = service.complete(run.id, outcome="failed")
    events = service.events(run.id)
    assert [(e.seq, e.event, e.phase) for e in events] == [
        (1, "file_edited", "during"),
        (2, "test_run", "after"),
    ]
    assert events[0].detail == {"file": "src/ü.py", "note": "ünïcode"}
    assert done["status"] == "completed" and not done["ok"]
    assert [r.id for r in service.list_runs(tag="matrix:x:y")] == [run.id]
    assert service.get(run.id).violations == done["violations"]
    database.dispose()
