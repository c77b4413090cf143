"""Reading a PDF with pypdf: opening it safely, and each page's text with positions.

pypdf's ``visitor_text`` hands over every piece of text with its text and transformation
matrices; the page text is the concatenation of those pieces (the same string
``extract_text`` returns), so every character offset has a known piece, and every piece a
box. Boxes are approximate: the height is the font size, the width half the font size per
character — good enough to point a reader at the right lines of a page.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from researchos.compile.document import Box
from researchos.compile.limits import MB, CompileLimits
from researchos.errors import InputError

_CHAR_WIDTH = 0.5  # average glyph width as a fraction of the font size
_DECRYPT_FIX = (
    "decrypt it first, e.g. `qpdf --decrypt --password=PASSWORD in.pdf out.pdf`, "
    "then compile the decrypted copy"
)
_REPAIR_FIX = "check that the file is a complete PDF; re-download it or repair it with `qpdf`"


@dataclass(frozen=True)
class Piece:
    """A run of page text drawn by one text operation, and where it sits on the page."""

    start: int
    end: int
    box: Box
    size: float


@dataclass(frozen=True)
class PageText:
    number: int  # 1-based
    text: str
    pieces: tuple[Piece, ...]
    width: float
    height: float

    def box(self, start: int, end: int) -> Box | None:
        """The union of the (partial) boxes of the pieces that draw ``text[start:end]``."""
        boxes = []
        for piece in self.pieces:
            if piece.end <= start or piece.start >= end:
                continue
            if not self.text[max(start, piece.start) : min(end, piece.end)].strip():
                continue  # a line break drawn somewhere else says nothing about the span
            length = max(1, piece.end - piece.start)
            x0, y0, x1, y1 = piece.box
            a = (max(start, piece.start) - piece.start) / length
            b = (min(end, piece.end) - piece.start) / length
            boxes.append((x0 + a * (x1 - x0), y0, x0 + b * (x1 - x0), y1))
        if not boxes:
            return None
        return (
            max(0.0, min(b[0] for b in boxes)),
            max(0.0, min(b[1] for b in boxes)),
            min(self.width, max(b[2] for b in boxes)),
            min(self.height, max(b[3] for b in boxes)),
        )

    def size_at(self, start: int, end: int) -> float:
        sizes = [p.size for p in self.pieces if p.start < end and p.end > start]
        return max(sizes) if sizes else 0.0


@contextmanager
def pypdf_warnings(sink: list[str]) -> Iterator[None]:
    """Collect pypdf's warnings (about a damaged xref, say) instead of printing them."""
    logger = logging.getLogger("pypdf")

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if len(sink) < 50:
                sink.append(f"pypdf: {record.getMessage()}")

    handler, propagate = _Collect(level=logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def open_pdf(path: Path, data: bytes, limits: CompileLimits) -> Any:
    """A ``PdfReader`` for ``data``, or an InputError naming the file and the fix."""
    from pypdf import PasswordType, PdfReader

    name = str(path)
    if len(data) > limits.max_pdf_bytes:
        raise InputError(
            f"is {len(data) / MB:.0f} MB, over the {limits.max_pdf_bytes / MB:.0f} MB limit",
            file=name,
            fix="split the PDF, e.g. `qpdf in.pdf --pages . 1-100 -- part.pdf`",
        )
    if b"%PDF-" not in data[:1024]:
        raise InputError("is not a PDF (no %PDF- header)", file=name, fix=_REPAIR_FIX)
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        if encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise InputError("is encrypted with a password", file=name, fix=_DECRYPT_FIX)
        pages = len(reader.pages)
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        reason = f"cannot be read as a PDF: {_reason(exc)}"
        raise InputError(reason, file=name, fix=_REPAIR_FIX) from None
    if pages == 0:
        raise InputError("has no pages", file=name, fix=_REPAIR_FIX)
    if pages > limits.max_pages:
        raise InputError(
            f"has {pages} pages, over the {limits.max_pages}-page limit",
            file=name,
            fix="compile the paper without its appendices, e.g. "
            "`qpdf in.pdf --pages . 1-60 -- paper.pdf`",
        )
    return reader


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _matrix(tm: list[float], cm: list[float]) -> tuple[float, ...]:
    return (
        tm[0] * cm[0] + tm[1] * cm[2],
        tm[0] * cm[1] + tm[1] * cm[3],
        tm[2] * cm[0] + tm[3] * cm[2],
        tm[2] * cm[1] + tm[3] * cm[3],
        tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
        tm[4] * cm[1] + tm[5] * cm[3] + cm[5],
    )


def read_page(page: Any, number: int) -> PageText:
    """The text of one page with a box for every piece of it."""
    parts: list[str] = []
    pieces: list[Piece] = []
    offset = 0

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        nonlocal offset
        if not text:
            return
        a, b, c, d, e, f = _matrix(tm, cm)
        height = abs(size) * math.hypot(c, d) or abs(size)
        advance = abs(size) * math.hypot(a, b) or height
        width = _CHAR_WIDTH * advance * len(text.rstrip())
        parts.append(text)
        box = (e, f - 0.2 * height, e + width, f + 0.8 * height)
        pieces.append(Piece(offset, offset + len(text), box, height))
        offset += len(text)

    page.extract_text(visitor_text=visit)
    box = page.mediabox
    return PageText(number, "".join(parts), tuple(pieces), float(box.width), float(box.height))


def layout_text(page: Any) -> str:
    """The page in pypdf's layout mode, which keeps table columns apart by spaces."""
    try:
        return str(page.extract_text(extraction_mode="layout"))
    except Exception:  # layout mode is an extra; the plain text already exists
        return ""


def page_links(page: Any) -> list[str]:
    """URIs of the page's link annotations."""
    links: list[str] = []
    try:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            uri = action.get_object().get("/URI") if hasattr(action, "get_object") else None
            if uri:
                links.append(str(uri))
    except Exception:  # a damaged annotation never stops the compile
        return links
    return links
