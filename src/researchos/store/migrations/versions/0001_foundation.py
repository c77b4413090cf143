"""Foundation: content index (aras, claims, traces) and audit events.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "aras",
        sa.Column("slug", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("claim_count", sa.Integer, nullable=False),
        sa.Column("trace_count", sa.Integer, nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("updated", TS, nullable=False),
    )
    op.create_table(
        "claims",
        sa.Column("ara_slug", sa.String(64), primary_key=True),
        sa.Column("claim_id", sa.String(64), primary_key=True),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provenance", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("conditions", sa.JSON, nullable=False),
        sa.Column("evidence_count", sa.Integer, nullable=False),
        sa.Column("updated", TS, nullable=False),
    )
    op.create_index("ix_claims_status", "claims", ["status"])
    op.create_table(
        "traces",
        sa.Column("ara_slug", sa.String(64), primary_key=True),
        sa.Column("trace_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("failure_class", sa.String(32), nullable=True),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("discount_after", TS, nullable=True),
    )
    op.create_index("ix_traces_kind", "traces", ["kind"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(256), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_action", "audit_events", ["action"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("traces")
    op.drop_table("claims")
    op.drop_table("aras")
