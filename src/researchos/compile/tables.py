"""Tables as rows of cells: from pypdf's layout text, and out to CSV.

In layout mode pypdf keeps the horizontal gaps of the page, so the cells of a table row are
separated by runs of two or more spaces. The rows of a table are the run of such lines just
after its caption (or, for tables captioned underneath, just before it). This is a
best-effort reading: a two-column page can interleave a table with body text, and then no
rows are kept rather than wrong ones.
"""

from __future__ import annotations

import csv
import io
import re

_CELL_GAP = re.compile(r"\s{2,}")
_MIN_ROWS = 2
_MAX_ROWS = 500


def _cells(line: str) -> list[str]:
    return [cell for cell in _CELL_GAP.split(line.strip()) if cell]


def _run(lines: list[str], indices: range) -> list[list[str]]:
    rows: list[list[str]] = []
    blanks = 0
    for i in indices:
        line = lines[i]
        if not line.strip():
            blanks += 1
            if rows and blanks > 1:
                break
            continue
        blanks = 0
        cells = _cells(line)
        if len(cells) < 2:
            if rows:
                break
            continue
        rows.append(cells)
        if len(rows) >= _MAX_ROWS:
            break
    return rows


def rows_after_caption(layout: str, label: str) -> tuple[tuple[str, ...], ...]:
    """The table rows next to the caption starting with ``label`` ("Table 2"), or ()."""
    lines = layout.splitlines()
    pattern = re.compile(rf"^\s*{re.escape(label)}\b", re.IGNORECASE)
    at = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
    if at is None:
        return ()
    rows = _run(lines, range(at + 1, len(lines)))
    if len(rows) < _MIN_ROWS:
        rows = list(reversed(_run(lines, range(at - 1, -1, -1))))
    if len(rows) < _MIN_ROWS or not _consistent(rows):
        return ()
    return tuple(tuple(row) for row in rows)


def _consistent(rows: list[list[str]]) -> bool:
    """Most rows share the widest row's number of cells (prose split by chance does not)."""
    width = max(len(row) for row in rows)
    return sum(len(row) == width for row in rows) >= 0.6 * len(rows)


def to_csv(rows: tuple[tuple[str, ...], ...]) -> str:
    width = max((len(row) for row in rows), default=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([*row, *([""] * (width - len(row)))])
    return out.getvalue()
