"""What the extractors read out of a paper, before any model sees it.

A ``PaperDocument`` is the same shape for a PDF and for HTML: text units (one per PDF page or
HTML section; each becomes a text file of the ARA), passages (sentences with their place in a
unit and in the source), sections, figures, tables, references and outbound links.

Locators (docs/compile.md):

- PDF source:  ``page=3;bbox=x0,y0,x1,y1`` (PDF points, origin bottom left), or
  ``page=3;chars=a-b`` when no box is known (offsets into that page's text file);
- HTML source: ``selector=<css>;chars=a-b`` (offsets into the element's whitespace-collapsed
  text);
- text files:  ``chars=a-b`` (Python string offsets into ``evidence/raw/text/<unit>.txt``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEXT_DIR = "evidence/raw/text"
FIGURE_DIR = "evidence/figures"

Box = tuple[float, float, float, float]


def format_box(box: Box) -> str:
    return ",".join(f"{v:.1f}" for v in box)


@dataclass(frozen=True)
class TextUnit:
    """One extracted text file of the ARA: a PDF page or an HTML section."""

    key: str  # "page-003" or "section-02"
    label: str  # "page 3" or "2 Method"
    text: str
    page: int | None = None

    @property
    def path(self) -> str:
        return f"{TEXT_DIR}/{self.key}.txt"


@dataclass(frozen=True)
class Passage:
    """A sentence of the paper: where it is in its text unit and in the source file."""

    id: str  # "p3.s12" (PDF) or "S2.p1.s3" (HTML)
    unit: str
    start: int
    end: int
    text: str  # exactly unit.text[start:end]
    section: str
    page: int | None = None
    bbox: Box | None = None
    selector: str | None = None
    element_span: tuple[int, int] | None = None
    body: bool = True  # False for captions, references, running headers: never claims

    def text_locator(self) -> str:
        return f"chars={self.start}-{self.end}"

    def source_locator(self) -> str:
        if self.selector is not None and self.element_span is not None:
            return f"selector={self.selector};chars={self.element_span[0]}-{self.element_span[1]}"
        if self.page is not None and self.bbox is not None:
            return f"page={self.page};bbox={format_box(self.bbox)}"
        return f"page={self.page};chars={self.start}-{self.end}"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    level: int
    unit: str
    start: int  # offset of the heading in its unit
    page: int | None = None
    selector: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "text": f"{TEXT_DIR}/{self.unit}.txt",
            "start": self.start,
            "page": self.page,
            "selector": self.selector,
        }


@dataclass(frozen=True)
class Image:
    """Image bytes found in the paper (embedded in the PDF, or a local file next to the HTML)."""

    name: str  # file name under evidence/figures/
    data: bytes
    page: int | None = None


@dataclass(frozen=True)
class Figure:
    id: str  # "fig-1"
    label: str  # "Figure 1"
    caption: str
    locator: str
    page: int | None = None
    images: tuple[str, ...] = ()  # names of Image entries
    remote: tuple[str, ...] = ()  # image URLs that were not fetched


@dataclass(frozen=True)
class Table:
    id: str  # "table-1"
    label: str
    caption: str
    locator: str
    rows: tuple[tuple[str, ...], ...] = ()
    page: int | None = None

    @property
    def csv_name(self) -> str:
        return f"{self.id}.csv"


@dataclass(frozen=True)
class Reference:
    id: str  # "ref-1"
    label: str  # "[1]" or ""
    text: str


@dataclass
class PaperDocument:
    """Everything extracted from one paper; built by ``pdf.read_pdf`` or ``html.read_html``."""

    kind: str  # "pdf" or "html"
    name: str  # source file name
    title: str = ""
    authors: list[str] = field(default_factory=list)
    units: list[TextUnit] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_copy: bytes = b""  # what is stored under evidence/raw/ (sanitized for HTML)
    original_sha256: str = ""  # of the file as given
    page_count: int | None = None

    def unit(self, key: str) -> TextUnit:
        return next(u for u in self.units if u.key == key)

    def body_text(self) -> str:
        return "\n".join(u.text for u in self.units)
