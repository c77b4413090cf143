"""Credential metadata: name, ciphertext reference and a masked preview. Never the value."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from researchos.store.provider_tables import CredentialRow


def upsert_credential(
    session: Session, *, name: str, ref: str, preview: str, at: datetime
) -> dict[str, Any]:
    row = session.get(CredentialRow, name)
    if row is None:
        row = CredentialRow(name=name, ref=ref, preview=preview, created=at, updated=at)
        session.add(row)
    else:
        row.ref, row.preview, row.updated = ref, preview, at
    return _plain(row)


def list_credentials(session: Session) -> list[dict[str, Any]]:
    return [_plain(row) for row in session.scalars(select(CredentialRow).order_by("name"))]


def delete_credential(session: Session, *, name: str) -> bool:
    row = session.get(CredentialRow, name)
    if row is None:
        return False
    session.delete(row)
    return True


def _plain(row: CredentialRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "ref": row.ref,
        "preview": row.preview,
        "created": row.created,
        "updated": row.updated,
    }
