"""Providers: provider_calls (routing record + usage per model call) and credentials metadata.

Revision ID: 0002_providers
Revises: 0001_foundation
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_providers"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "provider_calls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("project", sa.String(128), nullable=True),
        sa.Column("ara", sa.String(64), nullable=True),
        sa.Column("phase", sa.String(64), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("requested_model", sa.String(128), nullable=False),
        sa.Column("wire_model", sa.String(128), nullable=False),
        sa.Column("run_mode", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=True),
        sa.Column("mock", sa.Boolean, nullable=False),
        sa.Column("routing", sa.JSON, nullable=False),
    )
    op.create_index("ix_provider_calls_at", "provider_calls", ["at"])
    op.create_index("ix_provider_calls_project", "provider_calls", ["project"])
    op.create_index("ix_provider_calls_phase", "provider_calls", ["phase"])
    op.create_table(
        "credentials",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("ref", sa.String(80), nullable=False),
        sa.Column("preview", sa.String(32), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("updated", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("credentials")
    op.drop_index("ix_provider_calls_phase", "provider_calls")
    op.drop_index("ix_provider_calls_project", "provider_calls")
    op.drop_index("ix_provider_calls_at", "provider_calls")
    op.drop_table("provider_calls")
