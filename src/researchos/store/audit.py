"""The audit trail: who did what to which target, with a payload that never holds secrets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from researchos.logs import redact
from researchos.store.tables import AuditEvent

_SECRET_KEYS = ("key", "token", "secret", "password", "authorization")


def _scrub(value: Any, key: str = "") -> Any:
    if any(marker in key.lower() for marker in _SECRET_KEYS) and isinstance(value, str):
        return "[REDACTED]"
    if isinstance(value, dict):
        return {k: _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value


def record(
    session: Session, *, actor: str, action: str, target: str, payload: dict[str, Any] | None = None
) -> None:
    """Append one audit event; the payload is scrubbed of secrets and made JSON-safe."""
    clean = json.loads(json.dumps(_scrub(payload or {}), default=str))
    session.add(
        AuditEvent(at=datetime.now(UTC), actor=actor, action=action, target=target, payload=clean)
    )


def recent(session: Session, *, limit: int = 50, action: str | None = None) -> list[dict[str, Any]]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    return [
        {
            "at": row.at.isoformat(),
            "actor": row.actor,
            "action": row.action,
            "target": row.target,
            "payload": row.payload,
        }
        for row in session.scalars(query)
    ]
