"""Tables of the providers part: one row per model call, and credential metadata.

Imported by ``tables.py`` so Alembic and the store see them on the shared ``Base``.
Credential rows hold a masked preview only; the ciphertext lives in var/secrets/<ref>.enc.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from researchos.store.tables import Base, UTCDateTime


class ProviderCallRow(Base):
    __tablename__ = "provider_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    project: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    ara: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phase: Mapped[str] = mapped_column(String(64), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(64))
    requested_model: Mapped[str] = mapped_column(String(128))
    wire_model: Mapped[str] = mapped_column(String(128))
    run_mode: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    mock: Mapped[bool] = mapped_column(Boolean, default=False)
    routing: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CredentialRow(Base):
    __tablename__ = "credentials"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    ref: Mapped[str] = mapped_column(String(80))
    preview: Mapped[str] = mapped_column(String(32))
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    updated: Mapped[datetime] = mapped_column(UTCDateTime)
