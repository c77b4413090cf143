"""Runs: one row per sandboxed run, with the full run record as JSON.

Revision ID: 0003_runs
Revises: 0001_foundation
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_runs"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(48), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result_class", sa.String(24), nullable=True),
        sa.Column("runner", sa.String(16), nullable=True),
        sa.Column("isolation", sa.String(16), nullable=True),
        sa.Column("executor", sa.String(16), nullable=False),
        sa.Column("ara_slug", sa.String(64), nullable=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("seed", sa.Integer, nullable=True),
        sa.Column("exit_code", sa.Integer, nullable=True),
        sa.Column("limit_fired", sa.String(16), nullable=True),
        sa.Column("execution_mode", sa.String(16), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("started", TS, nullable=True),
        sa.Column("finished", TS, nullable=True),
        sa.Column("duration", sa.Float, nullable=True),
        sa.Column("peak_memory", sa.BigInteger, nullable=True),
        sa.Column("record", sa.JSON, nullable=False),
    )
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_index("ix_runs_ara_slug", "runs", ["ara_slug"])
    op.create_index("ix_runs_created", "runs", ["created"])


def downgrade() -> None:
    op.drop_table("runs")
