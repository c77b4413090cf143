"""distill: transcripts already distilled (by sha256), for the watch queue

Revision ID: 0006_distill
Revises: 0002_providers, 0005_pipeline
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_distill"
down_revision = ("0002_providers", "0005_pipeline")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "distilled_transcripts",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ara_slug", sa.String(length=64), nullable=True),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("traces", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("processed", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    with op.batch_alter_table("distilled_transcripts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distilled_transcripts_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_distilled_transcripts_processed"), ["processed"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("distilled_transcripts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distilled_transcripts_processed"))
        batch_op.drop_index(batch_op.f("ix_distilled_transcripts_status"))
    op.drop_table("distilled_transcripts")
