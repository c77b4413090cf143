"""agent runs and matrices: briefs handed out over MCP, agent runs with their events, matrices

Revision ID: 0008_agent_runs
Revises: 0003_runs, 0004_knowledge, 0006_distill, 0007_seal
Create Date: 2026-11-24

A merge revision: it joins every head that existed when it was written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_agent_runs"
down_revision = ("0003_runs", "0004_knowledge", "0006_distill", "0007_seal")
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _agent_tables() -> None:
    op.create_table(
        "agent_briefs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("agent", sa.JSON, nullable=False),
        sa.Column("repo", sa.Text, nullable=True),
        sa.Column("document", sa.JSON, nullable=False),
    )
    op.create_index("ix_agent_briefs_created", "agent_briefs", ["created"])
    op.create_table(
        "agent_runs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("agent", sa.String(128), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("toolchain", sa.String(128), nullable=False),
        sa.Column("repo", sa.Text, nullable=True),
        sa.Column("brief_id", sa.String(40), nullable=True),
        sa.Column("gated", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tag", sa.String(200), nullable=True),
        sa.Column("created", TS, nullable=False),
        sa.Column("completed", TS, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("violations", sa.JSON, nullable=False),
    )
    for column in ("brief_id", "status", "tag", "created"):
        op.create_index(f"ix_agent_runs_{column}", "agent_runs", [column])
    op.create_table(
        "agent_run_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_agent_run_events_run_id", "agent_run_events", ["run_id"])


def _matrix_tables() -> None:
    op.create_table(
        "matrices",
        sa.Column("id", sa.String(48), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("experiment_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("finished", TS, nullable=True),
        sa.Column("cells_total", sa.Integer, nullable=False),
        sa.Column("cells_done", sa.Integer, nullable=False),
        sa.Column("ara_slug", sa.String(64), nullable=True),
        sa.Column("experiment", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
    )
    for column in ("name", "status", "created"):
        op.create_index(f"ix_matrices_{column}", "matrices", [column])
    op.create_table(
        "matrix_cells",
        sa.Column("matrix_id", sa.String(48), primary_key=True),
        sa.Column("cell", sa.String(200), primary_key=True),
        sa.Column("fixture", sa.String(64), nullable=False),
        sa.Column("condition", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(64), nullable=False),
        sa.Column("repeat", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("agent_run", sa.String(48), nullable=True),
        sa.Column("oracle_run", sa.String(48), nullable=True),
        sa.Column("protocol_run", sa.String(40), nullable=True),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )


def upgrade() -> None:
    _agent_tables()
    _matrix_tables()


def downgrade() -> None:
    for table in ("matrix_cells", "matrices", "agent_run_events", "agent_runs", "agent_briefs"):
        op.drop_table(table)
