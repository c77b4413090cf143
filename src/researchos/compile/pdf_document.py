"""A ``PaperDocument`` from a PDF: pages, sections, passages, captions, references, images.

Reading order is pypdf's (content-stream order, which follows columns in most papers).
Running headers and footers, headings, captions and the bibliography never become
passages, so no claim can come from them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from researchos.compile.document import Figure, Image, PaperDocument, Passage, Section, TextUnit
from researchos.compile.document import Table as TableEntry
from researchos.compile.limits import CompileLimits
from researchos.compile.lines import (
    CAPTION,
    Line,
    classify,
    heading_title,
    is_reference_heading,
    is_title,
)
from researchos.compile.pdf import PageText, layout_text, open_pdf, page_links, pypdf_warnings
from researchos.compile.pdf import read_page as _read_page
from researchos.compile.references import split_references
from researchos.compile.tables import rows_after_caption
from researchos.compile.text import normalize, sentence_spans
from researchos.errors import InputError
from researchos.files import sha256_bytes

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_CAPTION_LINES = 4


def read_pdf(path: Path, limits: CompileLimits) -> PaperDocument:
    """Extract everything the compiler needs from the PDF at ``path``."""
    data = path.read_bytes()
    doc = PaperDocument(
        kind="pdf", name=path.name, source_copy=data, original_sha256=sha256_bytes(data)
    )
    with pypdf_warnings(doc.warnings):
        reader = open_pdf(path, data, limits)
        doc.page_count = len(reader.pages)
        pages = [_page(reader, number, doc.warnings) for number in range(1, doc.page_count + 1)]
        if not any(page.text.strip() for page in pages):
            raise InputError(
                "has no extractable text (a scanned PDF?)",
                file=str(path),
                fix="run OCR first, e.g. `ocrmypdf in.pdf out.pdf`, then compile the result",
            )
        _Builder(doc, pages).build(classify(pages))
        doc.title = _metadata_title(reader) or doc.title or path.stem
        doc.authors = _metadata_authors(reader)
        for number in range(1, doc.page_count + 1):
            doc.links.extend(page_links(reader.pages[number - 1]))
        _add_images(doc, reader, limits)
        _add_table_rows(doc, reader)
    return doc


def _page(reader: Any, number: int, warnings: list[str]) -> PageText:
    try:
        return _read_page(reader.pages[number - 1], number)
    except Exception as exc:  # one damaged page is reported, not fatal
        warnings.append(f"page {number}: text could not be extracted ({type(exc).__name__})")
        return PageText(number, "", (), 612.0, 792.0)


def _metadata_title(reader: Any) -> str:
    try:
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except Exception:
        return ""
    junk = title.lower().startswith(("microsoft word", "untitled")) or title.endswith(".dvi")
    return "" if junk or len(title) < 6 else title


def _metadata_authors(reader: Any) -> list[str]:
    try:
        raw = str((reader.metadata or {}).get("/Author") or "")
    except Exception:
        return []
    return [a.strip() for a in re.split(r";|,| and ", raw) if a.strip()][:50]


@dataclass
class _Builder:
    doc: PaperDocument
    pages: list[PageText]
    section: str = ""
    in_references: bool = False
    reference_lines: list[str] = field(default_factory=list)
    seen_captions: set[tuple[str, int]] = field(default_factory=set)

    def build(self, lines: list[list[Line]]) -> None:
        for page, page_lines in zip(self.pages, lines, strict=True):
            unit = TextUnit(
                f"page-{page.number:03d}", f"page {page.number}", page.text, page.number
            )
            self.doc.units.append(unit)
            self._page(page, unit, page_lines)
        self.doc.references = split_references(self.reference_lines)

    def _page(self, page: PageText, unit: TextUnit, lines: list[Line]) -> None:
        block: list[Line] = []
        counter = [0]
        i = 0
        while i < len(lines):
            line = lines[i]
            continues = line.kind == "caption" and not _caption_starts(lines, i)
            if (line.kind == "body" or continues) and not self.in_references:
                block.append(line)
                i += 1
                continue
            self._flush(page, unit, block, counter)
            block = []
            if line.kind == "heading":
                i = self._heading(page, unit, lines, i)
            elif line.kind == "caption" and not self.in_references:
                i = self._caption(page, lines, i)
            else:
                if line.kind in ("body", "caption") and self.in_references:
                    self.reference_lines.append(line.text)
                i += 1
        self._flush(page, unit, block, counter)

    def _heading(self, page: PageText, unit: TextUnit, lines: list[Line], i: int) -> int:
        run = [lines[i]]
        while i + len(run) < len(lines):
            nxt = lines[i + len(run)]
            if nxt.kind != "heading" or abs(nxt.size - run[0].size) > 0.5:
                break
            run.append(nxt)
        title = heading_title(" ".join(line.text for line in run))
        first = run[0]
        if page.number == 1 and not self.doc.sections and is_title(title):
            self.doc.title = self.doc.title or title  # the paper's title, not a section
            return i + len(run)
        # any heading ends a bibliography: appendices, or the next paper of a proceedings
        self.in_references = is_reference_heading(title)
        self.section = title
        section_id = f"sec-{len(self.doc.sections) + 1}"
        self.doc.sections.append(
            Section(section_id, title, first.level, unit.key, first.start, page=page.number)
        )
        return i + len(run)

    def _caption(self, page: PageText, lines: list[Line], i: int) -> int:
        run = [lines[i]]
        while (
            not run[-1].text.endswith(".")
            and len(run) < _CAPTION_LINES
            and i + len(run) < len(lines)
            and lines[i + len(run)].kind == "body"
        ):
            run.append(lines[i + len(run)])
        match = CAPTION.match(run[0].text)
        assert match is not None  # classify() only marks lines that match
        kind = "table" if match["kind"].lower().startswith("tab") else "figure"
        number = int(match["num"])
        caption = normalize(" ".join(line.text for line in run))
        box = page.box(run[0].start, run[-1].end)
        locator = f"page={page.number};" + (
            "bbox=" + ",".join(f"{v:.1f}" for v in box)
            if box
            else f"chars={run[0].start}-{run[-1].end}"
        )
        if (kind, number) not in self.seen_captions:
            self.seen_captions.add((kind, number))
            if kind == "figure":
                self.doc.figures.append(
                    Figure(f"fig-{number}", f"Figure {number}", caption, locator, page.number)
                )
            else:
                label = f"Table {number}"
                entry = TableEntry(f"table-{number}", label, caption, locator, (), page.number)
                self.doc.tables.append(entry)
        return i + len(run)

    def _flush(self, page: PageText, unit: TextUnit, block: list[Line], counter: list[int]) -> None:
        if not block:
            return
        for start, end in sentence_spans(page.text, block[0].start, block[-1].end):
            counter[0] += 1
            self.doc.passages.append(
                Passage(
                    id=f"p{page.number}.s{counter[0]}",
                    unit=unit.key,
                    start=start,
                    end=end,
                    text=page.text[start:end],
                    section=self.section or "front matter",
                    page=page.number,
                    bbox=page.box(start, end),
                )
            )


def _caption_starts(lines: list[Line], i: int) -> bool:
    """A caption opens a block: "... presented in\\nFig. 6. For ..." continues a sentence."""
    for previous in reversed(lines[:i]):
        if previous.kind in ("blank", "boilerplate"):
            continue
        return previous.kind != "body" or previous.text.endswith((".", ":"))
    return True


def _add_images(doc: PaperDocument, reader: Any, limits: CompileLimits) -> None:
    found: list[Image] = []
    total = 0
    for number in range(1, (doc.page_count or 0) + 1):
        for image in _page_images(reader.pages[number - 1], number, doc.warnings):
            if len(found) >= limits.max_images:
                doc.warnings.append(f"more than {limits.max_images} images: the rest skipped")
                break
            if len(image.data) > limits.max_image_bytes:
                doc.warnings.append(f"{image.name}: larger than the image limit, skipped")
                continue
            if total + len(image.data) > limits.max_images_total_bytes:
                doc.warnings.append(f"{image.name}: images exceed the total limit, skipped")
                continue
            total += len(image.data)
            found.append(image)
    doc.images = _without_decoration(found, doc.page_count or 1)
    for figure_index, figure in enumerate(doc.figures):
        same_page = [f for f in doc.figures if f.page == figure.page]
        images = [image for image in doc.images if image.page == figure.page]
        if len(same_page) == len(images):
            name = images[same_page.index(figure)].name
            doc.figures[figure_index] = _with_images(figure, (name,))


def _with_images(figure: Figure, names: tuple[str, ...]) -> Figure:
    return Figure(figure.id, figure.label, figure.caption, figure.locator, figure.page, names)


def _page_images(page: Any, number: int, warnings: list[str]) -> list[Image]:
    images = []
    try:
        for item in page.images:
            name = _SAFE_NAME.sub("_", f"page-{number:03d}-{item.name}")[:100]
            images.append(Image(name, bytes(item.data), number))
    except Exception as exc:  # an undecodable image is reported, not fatal
        warnings.append(f"page {number}: images could not be extracted ({type(exc).__name__})")
    return images


def _without_decoration(images: list[Image], pages: int) -> list[Image]:
    """Drop logos: the same image bytes on at least half the pages (of two or more)."""
    pages_of: dict[str, set[int | None]] = {}
    for image in images:
        pages_of.setdefault(hashlib.sha256(image.data).hexdigest(), set()).add(image.page)
    limit = max(2, (pages + 1) // 2)
    return [i for i in images if len(pages_of[hashlib.sha256(i.data).hexdigest()]) < limit]


def _add_table_rows(doc: PaperDocument, reader: Any) -> None:
    layouts: dict[int, str] = {}
    for index, table in enumerate(doc.tables):
        if table.page is None:
            continue
        if table.page not in layouts:
            layouts[table.page] = layout_text(reader.pages[table.page - 1])
        rows = rows_after_caption(layouts[table.page], table.label)
        doc.tables[index] = TableEntry(
            table.id, table.label, table.caption, table.locator, rows, table.page
        )
        _hide_rows(doc, table.page, rows)


def _hide_rows(doc: PaperDocument, page: int, rows: tuple[tuple[str, ...], ...]) -> None:
    """Table cells read as prose are not passages: no claim quotes half a table."""
    if not rows:
        return
    texts = [normalize(" ".join(row)) for row in rows]
    for i, passage in enumerate(doc.passages):
        if passage.page != page or not passage.body:
            continue
        text = normalize(passage.text)
        if sum(row in text for row in texts) >= min(2, len(texts)):
            doc.passages[i] = replace(passage, body=False)
