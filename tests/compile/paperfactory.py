"""Papers for the compiler's tests and benchmark, written from scratch (no extra dependencies).

``pdf_bytes`` writes a minimal PDF 1.4 by hand: Helvetica text placed at known positions and
RGB images as Flate-compressed XObjects, so a test knows the page and the height of every
line it later finds in a claim's locator. ``sample_paper`` lays out a small paper with known
claims, a table, a figure and references; ``long_paper`` repeats that shape over many pages
for the benchmark.
"""

from __future__ import annotations

import textwrap
import zlib
from dataclasses import dataclass, field

PAGE_W, PAGE_H = 612, 792
LEFT, TOP, LEADING = 72, 720, 14


@dataclass
class Page:
    ops: list[str] = field(default_factory=list)
    images: dict[str, tuple[int, int, bytes]] = field(default_factory=dict)
    y: float = TOP
    lines: dict[str, float] = field(default_factory=dict)  # first words of a line -> its y

    def text(self, line: str, *, x: float = LEFT, size: float = 10, bold: bool = False) -> None:
        font = "F2" if bold else "F1"
        self.ops.append(f"BT /{font} {size} Tf {x} {self.y:.1f} Td ({_escape(line)}) Tj ET")
        self.lines.setdefault(line[:40], self.y)

    def line(self, text: str, **kwargs: object) -> None:
        self.text(text, **kwargs)  # type: ignore[arg-type]
        self.y -= LEADING

    def paragraph(self, text: str, width: int = 88) -> None:
        for line in textwrap.wrap(text, width):
            self.line(line)
        self.y -= LEADING / 2

    def heading(self, text: str) -> None:
        self.y -= LEADING / 2
        self.line(text, size=12, bold=True)

    def row(self, cells: list[str], xs: list[float]) -> None:
        for cell, x in zip(cells, xs, strict=True):
            self.text(cell, x=x)
        self.y -= LEADING

    def image(self, name: str, width: int, height: int, *, shown: float = 160) -> None:
        pixels = bytes((x * 13 + y * 7) % 256 for y in range(height) for x in range(width * 3))
        self.images[name] = (width, height, pixels)
        self.y -= shown
        self.ops.append(f"q {shown * 1.5:.0f} 0 0 {shown:.0f} {LEFT} {self.y:.1f} cm /{name} Do Q")
        self.y -= LEADING


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(pages: list[Page], *, title: str | None = None) -> bytes:
    """A complete PDF with one content stream (and its images) per page."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled once the page tree exists
    tree = add(b"")
    helvetica = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>")
    kids = []
    for page in pages:
        xobjects = []
        for name, (width, height, pixels) in page.images.items():
            data = zlib.compress(pixels)
            head = (
                f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
                f"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode "
                f"/Length {len(data)} >>\nstream\n"
            ).encode()
            number = add(head + data + b"\nendstream")
            xobjects.append(f"/{name} {number} 0 R")
        stream = "\n".join(page.ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        fonts = f"/Font << /F1 {helvetica} 0 R /F2 {bold} 0 R >>"
        resources = f"<< {fonts} /XObject << {' '.join(xobjects)} >> >>"
        kids.append(
            add(
                f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                f"/Resources {resources} /Contents {content} 0 R >>".encode()
            )
        )
    objects[tree - 1] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    ).encode()
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {tree} 0 R >>".encode()
    info = add(f"<< /Title ({_escape(title)}) >>".encode()) if title else None
    return _assemble(objects, catalog, info)


def _assemble(objects: list[bytes], root: int, info: int | None) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root {root} 0 R"
    trailer += f" /Info {info} 0 R >>" if info else " >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# --- the sample paper ---------------------------------------------------------------------

TITLE = "Gradient Noise Helps Small Vision Models"
CLAIM_ACCURACY = (
    "Our model achieves an accuracy of 93.2% on CIFAR-10, and it outperforms the ResNet-18 "
    "baseline by 4.1 points."
)
CLAIM_LATENCY = "Adding gradient noise reduces the training time by 12.5 minutes per run."
TABLE_ROWS = [
    ["Method", "Accuracy (%)", "Params (M)"],
    ["ResNet-18", "89.1", "11.2"],
    ["Noisy ResNet-18", "93.2", "11.2"],
    ["Wide ResNet", "92.4", "36.5"],
]
FILLER = (
    "Small vision models are trained on modest hardware and their behaviour under noise is "
    "worth understanding before larger studies are planned."
)


def sample_paper(*, code_url: str | None = None, title: bool = True) -> tuple[bytes, list[Page]]:
    """Three pages: abstract and introduction; method and results with a table; figure."""
    one, two, three = Page(), Page(), Page()
    one.line(TITLE, size=16, bold=True)
    one.line("Ada Example and Bo Sample, Example University")
    one.heading("Abstract")
    one.paragraph(
        "We study gradient noise as a regulariser for small convolutional networks. "
        "Noise injected into the gradients improves generalisation at no extra cost."
    )
    one.heading("1 Introduction")
    one.paragraph(FILLER + " " + FILLER)
    if code_url:
        one.paragraph(f"Code is available at {code_url} under the MIT licence.")
    two.heading("2 Method")
    two.paragraph("We add Gaussian noise with a decaying variance to each gradient step. " + FILLER)
    two.heading("3 Results")
    two.paragraph(CLAIM_ACCURACY)
    two.paragraph(CLAIM_LATENCY)
    two.line("Table 1: Accuracy on CIFAR-10 test images.")
    two.y -= LEADING / 2
    for row in TABLE_ROWS:
        two.row(row, [LEFT, 260, 420])
    two.y -= LEADING
    two.paragraph("The table lists every model we trained for this comparison.")
    three.line("Figure 1: Test accuracy against training epochs.")
    three.image("Im1", 24, 16)
    three.heading("4 Conclusion")
    three.paragraph("Gradient noise is a cheap regulariser for small models.")
    three.heading("References")
    three.line("[1] A. Neelakantan et al. Adding gradient noise improves learning. 2015.")
    three.line("[2] K. He et al. Deep residual learning for image recognition. CVPR, 2016.")
    pages = [one, two, three]
    return pdf_bytes(pages, title=TITLE if title else None), pages


def long_paper(pages: int = 30) -> bytes:
    """``pages`` pages in the sample's shape: sections of text, results, a table every 5th."""
    out = []
    for number in range(1, pages + 1):
        page = Page()
        page.heading(f"{number} Section {number}")
        for k in range(7):  # about 45 lines: a full page of text
            page.paragraph(f"Part {number}.{k}: " + FILLER + f" Step {k} of page {number} follows.")
            if k == 1:
                page.paragraph(
                    f"In setting {number}.{k} our model achieves an accuracy of "
                    f"{80 + number / 10:.1f}% and reduces the error by {1 + k / 10:.1f} points."
                )
        if number % 5 == 0:
            page.line(f"Table {number // 5}: Results of block {number // 5}.")
            for row in TABLE_ROWS:
                page.row(row, [LEFT, 260, 420])
        if number % 7 == 0:
            page.line(f"Figure {number // 7}: Accuracy curve {number // 7}.")
            page.image(f"Im{number}", 32, 20, shown=40)
        out.append(page)
    return pdf_bytes(out, title="A Long Generated Paper")
