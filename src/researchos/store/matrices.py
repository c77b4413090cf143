"""Agent-run matrices: one row per matrix run, one per cell (fixture × condition × agent × repeat).

The files under ``var/matrices/<id>/`` (per-run metrics, report, figures) are derived from
these rows and the runs they point at; the ARA holds the evidence that claims rest on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from researchos.store.tables import Base, UTCDateTime


class MatrixRow(Base):
    __tablename__ = "matrices"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    experiment_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cells_total: Mapped[int] = mapped_column(Integer, default=0)
    cells_done: Mapped[int] = mapped_column(Integer, default=0)
    ara_slug: Mapped[str | None] = mapped_column(String(64), nullable=True)
    experiment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class MatrixCellRow(Base):
    __tablename__ = "matrix_cells"

    matrix_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    cell: Mapped[str] = mapped_column(String(200), primary_key=True)
    fixture: Mapped[str] = mapped_column(String(64))
    condition: Mapped[str] = mapped_column(String(64))
    agent: Mapped[str] = mapped_column(String(64))
    repeat: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    agent_run: Mapped[str | None] = mapped_column(String(48), nullable=True)
    oracle_run: Mapped[str | None] = mapped_column(String(48), nullable=True)
    protocol_run: Mapped[str | None] = mapped_column(String(40), nullable=True)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


_MATRIX_FIELDS = tuple(c.name for c in MatrixRow.__table__.columns)
_CELL_FIELDS = tuple(c.name for c in MatrixCellRow.__table__.columns)


def save_matrix(session: Session, *, matrix: Mapping[str, Any]) -> None:
    """Insert or update a matrix row (``matrix`` holds column values; unknown keys refused)."""
    unknown = set(matrix) - set(_MATRIX_FIELDS)
    if unknown:
        raise ValueError(f"unknown matrix fields: {sorted(unknown)}")
    row = session.get(MatrixRow, matrix["id"])
    if row is None:
        session.add(MatrixRow(**matrix))
        return
    for name, value in matrix.items():
        setattr(row, name, value)


def get_matrix(session: Session, *, matrix_id: str) -> dict[str, Any] | None:
    row = session.get(MatrixRow, matrix_id)
    return None if row is None else {k: getattr(row, k) for k in _MATRIX_FIELDS}


def find_matrix_ids(session: Session, *, prefix: str) -> list[str]:
    query = select(MatrixRow.id).where(MatrixRow.id.startswith(prefix, autoescape=True))
    return list(session.scalars(query.limit(3)))


def list_matrices(session: Session, *, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first."""
    query = select(MatrixRow).order_by(MatrixRow.created.desc()).limit(limit)
    return [{k: getattr(r, k) for k in _MATRIX_FIELDS} for r in session.scalars(query)]


def save_cell(session: Session, *, cell: Mapping[str, Any]) -> None:
    unknown = set(cell) - set(_CELL_FIELDS)
    if unknown:
        raise ValueError(f"unknown matrix cell fields: {sorted(unknown)}")
    row = session.get(MatrixCellRow, (cell["matrix_id"], cell["cell"]))
    if row is None:
        session.add(MatrixCellRow(**cell))
        return
    for name, value in cell.items():
        setattr(row, name, value)


def list_cells(session: Session, *, matrix_id: str) -> list[dict[str, Any]]:
    query = (
        select(MatrixCellRow)
        .where(MatrixCellRow.matrix_id == matrix_id)
        .order_by(
            MatrixCellRow.fixture,
            MatrixCellRow.condition,
            MatrixCellRow.agent,
            MatrixCellRow.repeat,
        )
    )
    return [{k: getattr(r, k) for k in _CELL_FIELDS} for r in session.scalars(query)]
