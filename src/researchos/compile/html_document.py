"""A ``PaperDocument`` from HTML: arXiv's LaTeXML pages first, any article-like page too.

LaTeXML marks structure with ``ltx_`` classes (``ltx_section``, ``ltx_title``, ``ltx_para`` /
``ltx_p``, ``ltx_figure``, ``ltx_table``, ``ltx_caption``, ``ltx_bibitem``, ``ltx_equation``);
plain HTML is read from h1-h6, p, figure, table and a "References" list. Every text unit is a
section; every passage knows its element (a CSS selector into the stored, sanitized copy) and
its span in that element's whitespace-collapsed text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from researchos.compile.document import (
    Figure,
    Image,
    PaperDocument,
    Passage,
    Reference,
    Section,
    Table,
    TextUnit,
)
from researchos.compile.html_safety import parse, sanitize
from researchos.compile.limits import CompileLimits
from researchos.compile.lines import REFERENCE_TITLES
from researchos.compile.text import collapse, sentence_spans
from researchos.files import sha256_bytes

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset({"p", "blockquote", "dd", "dt"})
_CHROME = frozenset({"nav", "header", "footer", "aside"})
_CHROME_CLASSES = frozenset({"ltx_page_header", "ltx_page_footer", "ltx_page_navbar", "ltx_TOC"})
_EQUATION_CLASSES = frozenset({"ltx_equation", "ltx_eqn_table", "ltx_equationgroup"})
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf", ".eps"})
_LABEL = re.compile(r"^\s*(Figure|Fig\.|Table)\s*(\d+)\s*[:.]?\s*", re.IGNORECASE)
_CSS_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def read_html(path: Path, limits: CompileLimits) -> PaperDocument:
    """Extract everything the compiler needs from the (hostile until proven otherwise) HTML."""
    data = path.read_bytes()
    soup = parse(data, str(path), limits)
    removed = sanitize(soup)
    doc = PaperDocument(
        kind="html",
        name=path.name,
        source_copy=str(soup).encode("utf-8"),
        original_sha256=sha256_bytes(data),
    )
    if removed:
        doc.warnings.append(f"removed {removed} active elements or attributes")
    doc.title = _title(soup) or path.stem
    doc.authors = _authors(soup)
    _Reader(doc, path.parent.resolve(), limits).read(soup.find("article") or soup.body or soup)
    doc.links = _links(soup)
    return doc


def _classes(tag: Any) -> set[str]:
    return set(tag.get("class") or [])


def _text(tag: Any) -> str:
    return collapse(tag.get_text())


def _title(soup: Any) -> str:
    node = soup.find(class_="ltx_title_document") or soup.find("h1") or soup.find("title")
    return _text(node) if node else ""


def _authors(soup: Any) -> list[str]:
    names = [_text(n) for n in soup.find_all(class_="ltx_personname")]
    return [n for n in names if n][:50]


def _links(soup: Any) -> list[str]:
    links = []
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"])
        if urlsplit(href).scheme in ("http", "https") and href not in links:
            links.append(href)
    return links


def css_path(tag: Any) -> str:
    """A CSS selector for ``tag``: its nearest id, then ``name:nth-of-type(k)`` steps."""
    steps = []
    node = tag
    while node is not None and getattr(node, "name", None) not in (None, "[document]"):
        if node.get("id"):
            steps.append("#" + _CSS_SAFE.sub(lambda m: "\\" + m.group(0), str(node["id"])))
            break
        position = 1 + sum(
            1 for sibling in node.find_previous_siblings(node.name) if sibling.name == node.name
        )
        steps.append(f"{node.name}:nth-of-type({position})")
        node = node.parent
    return " > ".join(reversed(steps))


@dataclass
class _Unit:
    key: str
    label: str
    parts: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, text: str) -> int:
        start = self.length
        self.parts.append(text + "\n\n")
        self.length += len(text) + 2
        return start


@dataclass
class _Reader:
    doc: PaperDocument
    base: Path
    limits: CompileLimits
    units: list[_Unit] = field(default_factory=list)
    section: str = "front matter"
    in_references: int = 0  # heading level of a plain "References" section, 0 outside
    image_bytes: int = 0

    def read(self, root: Any) -> None:
        self.units.append(_Unit("section-00", "front matter"))
        for kind, node in _walk(root):
            getattr(self, f"_{kind}")(node)
        for unit in self.units:
            text = "".join(unit.parts)
            if text.strip():
                self.doc.units.append(TextUnit(unit.key, unit.label, text))
        kept = {u.key for u in self.doc.units}
        self.doc.sections = [s for s in self.doc.sections if s.unit in kept]

    def _heading(self, node: Any) -> None:
        title = _text(node)
        if not title or "ltx_title_document" in _classes(node):
            return
        if title == self.doc.title and not self.doc.sections:
            return  # a plain page's <h1> is its title, not a section
        level = int(node.name[1])
        if self.in_references and level <= self.in_references:
            self.in_references = 0
        if title.lower().strip(": ") in REFERENCE_TITLES or "ltx_title_bibliography" in _classes(
            node
        ):
            self.in_references = level
        unit = _Unit(f"section-{len(self.units):02d}", title)
        self.units.append(unit)
        self.section = title
        start = unit.add(title)
        section_id = f"sec-{len(self.doc.sections) + 1}"
        selector = css_path(node)
        self.doc.sections.append(Section(section_id, title, level, unit.key, start, None, selector))

    def _block(self, node: Any) -> None:
        text = _text(node)
        if not text:
            return
        if self.in_references:
            self._reference(node)
            return
        unit = self.units[-1]
        offset = unit.add(text)
        selector = css_path(node)
        base_id = str(node.get("id") or f"{unit.key}.b{len(unit.parts)}")
        for n, (a, b) in enumerate(sentence_spans(text), start=1):
            self.doc.passages.append(
                Passage(
                    id=f"{base_id}.s{n}",
                    unit=unit.key,
                    start=offset + a,
                    end=offset + b,
                    text=text[a:b],
                    section=self.section,
                    selector=selector,
                    element_span=(a, b),
                )
            )

    def _reference(self, node: Any) -> None:
        tag = node.find(class_="ltx_tag_bibitem") or node.find(class_="ltx_bibtag")
        label = _text(tag) if tag else ""
        if tag:
            tag.extract()
        text = _text(node)
        if text:
            self.doc.references.append(
                Reference(f"ref-{len(self.doc.references) + 1}", label, text)
            )

    def _bibliography(self, node: Any) -> None:
        heading = node.find(_HEADINGS)
        if heading:
            self._heading(heading)
        items = node.find_all(class_="ltx_bibitem") or node.find_all("li")
        for item in items:
            self._reference(item)
        self.in_references = 0

    def _figure(self, node: Any) -> None:
        caption = _caption(node)
        number = len(self.doc.figures) + 1
        label, fig_id = _label(caption, "Figure", number, node)
        images, remote = self._images(node, fig_id)
        self.doc.figures.append(
            Figure(fig_id, label, caption, f"selector={css_path(node)}", None, images, remote)
        )

    def _table(self, node: Any) -> None:
        caption = _caption(node)
        number = len(self.doc.tables) + 1
        label, table_id = _label(caption, "Table", number, node)
        grid = node if node.name == "table" else node.find("table")
        rows = tuple(
            row
            for tr in (grid.find_all("tr") if grid else [])
            if any(row := tuple(_text(cell) for cell in tr.find_all(["th", "td"])))
        )
        locator = f"selector={css_path(node)}"
        self.doc.tables.append(Table(table_id, label, caption, locator, rows))

    def _skip(self, node: Any) -> None:
        return

    def _images(self, node: Any, fig_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        local: list[str] = []
        remote: list[str] = []
        for img in node.find_all("img", src=True):
            src = str(img["src"])
            if urlsplit(src).scheme in ("http", "https"):
                remote.append(src)
                continue
            image = self._local_image(src, fig_id, len(local) + 1)
            if image is not None:
                self.doc.images.append(image)
                local.append(image.name)
        return tuple(local), tuple(remote)

    def _local_image(self, src: str, fig_id: str, n: int) -> Image | None:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        target = (self.base / unquote(parts.path)).resolve()
        if not target.is_relative_to(self.base) or target.suffix.lower() not in _IMAGE_SUFFIXES:
            self.doc.warnings.append(f"figure image {src!r} is outside the paper's folder: skipped")
            return None
        if not target.is_file():
            self.doc.warnings.append(f"figure image {src!r} not found next to the HTML")
            return None
        size = target.stat().st_size
        if size > self.limits.max_image_bytes or (
            self.image_bytes + size > self.limits.max_images_total_bytes
        ):
            self.doc.warnings.append(f"figure image {src!r} is over the size limit: skipped")
            return None
        self.image_bytes += size
        name = _CSS_SAFE.sub("_", f"{fig_id}-{n}")[:90] + target.suffix.lower()
        return Image(name, target.read_bytes())


def _caption(node: Any) -> str:
    caption = node.find(["figcaption", "caption"])
    return _text(caption) if caption else ""


def _label(caption: str, kind: str, number: int, node: Any) -> tuple[str, str]:
    match = _LABEL.match(caption)
    if match:
        number = int(match.group(2))
    prefix = "fig" if kind == "Figure" else "table"
    return f"{kind} {number}", f"{prefix}-{number}"


def _kind(node: Any) -> str | None:
    """What a node is for the compiler; None means "look inside"."""
    name, classes = node.name, _classes(node)
    if name in _CHROME or classes & _CHROME_CLASSES:
        return "skip"
    if "ltx_bibliography" in classes:
        return "bibliography"
    if name in _HEADINGS:
        return "heading"
    if name == "figure":
        table = node.find("table")
        is_table = "ltx_table" in classes or (table is not None and node.find("img") is None)
        return "table" if is_table else "figure"
    if name == "table":
        return "skip" if classes & _EQUATION_CLASSES else "table"
    if name in _BLOCKS or "ltx_p" in classes:
        return "block"
    if name == "li" and node.find(["p", "div", "ul", "ol", "table"]) is None:
        return "block"
    return None


def _walk(root: Any) -> Iterator[tuple[str, Any]]:
    """(kind, node) in document order, never descending into what was already taken."""
    from bs4 import Tag

    stack = [root]
    while stack:
        node = stack.pop()
        if not isinstance(node, Tag):
            continue
        kind = _kind(node) if node is not root else None
        if kind is None:
            stack.extend(reversed([c for c in node.contents if isinstance(c, Tag)]))
        else:
            yield kind, node
