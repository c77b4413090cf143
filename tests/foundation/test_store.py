"""The SQL store on SQLite (always) and PostgreSQL (RESEARCHOS_TEST_POSTGRES=1)."""

from sqlalchemy import inspect, text

from researchos.app import build_app
from researchos.settings import load_settings
from researchos.store import audit
from researchos.store.database import Database
from researchos.store.index import counts, reindex


def test_migrations_run_once_and_are_idempotent(database_url):
    db = Database(database_url)
    assert db.migrate() is True
    assert db.migrate() is False
    tables = set(inspect(db.engine).get_table_names())
    assert {"aras", "claims", "traces", "audit_events", "alembic_version"} <= tables
    db.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    db.migrate()
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_index_follows_changes_and_reindex_rebuilds_from_files(
    database_url, clean_env, monkeypatch
):
    monkeypatch.setenv("RESEARCHOS_DATABASE_URL", database_url)
    app = build_app(load_settings(), create=True)
    app.aras.create(title="Indexed", slug="idx")
    app.aras.add_claim("idx", {"statement": "one", "conditions": {"metric": "acc"}})
    app.aras.add_claim("idx", {"statement": "two"})
    app.aras.add_trace(
        "idx", "decision", {"title": "pick adam", "decision": "adam", "rationale": "faster"}
    )
    with app.database.session() as session:
        assert counts(session) == {"aras": 1, "claims": 2, "traces": 1}
        session.execute(text("DELETE FROM claims"))
    # a claim edited by hand on disk: the files win
    claim_file = app.workspace.ara_path("idx") / "claims/C0001.yaml"
    claim_file.write_text(claim_file.read_text().replace("statement: one", "statement: uno"))
    with app.database.session() as session:
        result = reindex(session, app.workspace.ara_dir)
        assert (result.aras, result.claims, result.traces) == (1, 2, 1)
        statement = session.execute(
            text("SELECT statement FROM claims WHERE claim_id = 'C0001'")
        ).scalar()
    assert statement == "uno"
    app.close()


def test_audit_events_hold_no_secrets(database_url):
    db = Database(database_url)
    db.migrate()
    key = "sk-ant-api03-" + "Z" * 40
    with db.session() as session:
        audit.record(
            session,
            actor="user:alice",
            action="secrets.set",
            target="openai",
            payload={
                "api_key": key,
                "note": f"stored {key}",
                "nested": [{"token": "abc123456789"}],
            },
        )
    with db.session() as session:
        rows = audit.recent(session)
    assert rows[0]["action"] == "secrets.set" and rows[0]["actor"] == "user:alice"
    dumped = str(rows)
    assert key not in dumped and "abc123456789" not in dumped
    db.dispose()


def test_reindex_cli(cli, clean_env):
    cli("init")
    cli("ara", "new", "R")
    cli("ara", "add-claim", "r", "-s", "x")
    result = cli("reindex", "--json")
    assert result.code == 0
    assert '"claims": 1' in result.out
