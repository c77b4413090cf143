"""seal: one row per Seal level attempt, one per L2 reviewer disagreement

Revision ID: 0007_seal
Revises: 0005_pipeline
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_seal"
down_revision = "0005_pipeline"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "seal_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seal_id", sa.String(40), nullable=False),
        sa.Column("ara_slug", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("reviewed", sa.Integer, nullable=False),
        sa.Column("disagreements", sa.Integer, nullable=False),
        sa.Column("promoted", sa.Integer, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_seal_attempts_seal_id", "seal_attempts", ["seal_id"])
    op.create_index("ix_seal_attempts_ara_slug", "seal_attempts", ["ara_slug"])
    op.create_index("ix_seal_attempts_at", "seal_attempts", ["at"])
    op.create_table(
        "seal_disagreements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seal_id", sa.String(40), nullable=False),
        sa.Column("ara_slug", sa.String(64), nullable=False),
        sa.Column("claim_id", sa.String(128), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("first_verdict", sa.String(24), nullable=False),
        sa.Column("first_confidence", sa.Float, nullable=False),
        sa.Column("second_verdict", sa.String(24), nullable=False),
        sa.Column("second_confidence", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_seal_disagreements_seal_id", "seal_disagreements", ["seal_id"])
    op.create_index("ix_seal_disagreements_ara_slug", "seal_disagreements", ["ara_slug"])


def downgrade() -> None:
    op.drop_table("seal_disagreements")
    op.drop_table("seal_attempts")
