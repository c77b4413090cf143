"""Compiling HTML: arXiv's LaTeXML pages, plain article pages, and hostile pages."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

import pytest
from ara_reading import ARXIV_HTML, normal, span_text, structure_of
from PIL import Image as PILImage

from researchos.app import App
from researchos.compile.compiler import read_paper
from researchos.compile.limits import CompileLimits
from researchos.compile.writer import NO_CODE_FLAG
from researchos.errors import InputError
from researchos.history.git import Git


@pytest.fixture
def arxiv_page(tmp_path: Path) -> Path:
    folder = tmp_path / "paper"
    folder.mkdir()
    shutil.copy(ARXIV_HTML, folder / "2401.00001.html")
    PILImage.new("RGB", (32, 20), (200, 40, 40)).save(folder / "x1.png")
    return folder / "2401.00001.html"


def test_arxiv_html_sections_figures_tables_references(app, arxiv_page, compile_into):
    result = compile_into(arxiv_page)
    structure = structure_of(app, result.slug)
    root = app.aras.paths(result.slug).root
    assert structure["title"] == "Sparse Adapters for Low-Resource Speech Recognition"
    assert structure["authors"] == ["Ada Example", "Bo Sample"]
    titles = [s["title"] for s in structure["sections"]]
    assert titles == [
        "Abstract",
        "1 Introduction",
        "2 Method",
        "2.1 Training setup",
        "4 Results",
        "5 Conclusion",
        "References",
    ]
    (table,) = structure["tables"]  # the equation table is not a table
    assert table["label"] == "Table 1" and table["locator"] == "selector=#S4\\.T1"
    rows = list(csv.reader(io.StringIO((root / table["csv"]["path"]).read_text())))
    assert rows[0] == ["Method", "WER", "Trained params"] and rows[3] == [
        "Sparse adapter",
        "18.4",
        "3.1%",
    ]
    (figure,) = structure["figures"]
    assert figure["caption"] == "Figure 1: Word error rate against adapter sparsity."
    assert (root / figure["images"][0]["path"]).read_bytes().startswith(b"\x89PNG")
    labels = [(r["label"], r["text"][:12]) for r in structure["references"]]
    assert labels == [("[1]", "A. Baevski, "), ("[2]", "N. Houlsby e")]
    assert NO_CODE_FLAG not in app.aras.get(result.slug).flags
    # the stored copy is the sanitized page; the original's sha256 is kept beside it
    source = structure["source"]
    assert source["sanitized"] and source["sha256"] != source["original_sha256"]
    assert source["original_sha256"] == hashlib.sha256(arxiv_page.read_bytes()).hexdigest()
    # math reads as its TeX: the learning rate is in the text file of its section
    text = (root / "evidence/raw/text/section-04.txt").read_text()
    assert "learning rate of 3× 10^-4" in text


def test_html_claims_point_into_the_stored_copy(app, arxiv_page, compile_into):
    from bs4 import BeautifulSoup

    result = compile_into(arxiv_page)
    claim = next(c for c in app.aras.claims(result.slug) if "18.4%" in c.statement)
    source, text = claim.evidence[0], claim.evidence[1]
    assert source.kind == "html_passage" and source.path == "evidence/raw/2401.00001.html"
    selector, chars = source.locator.split(";")
    copy = (app.aras.paths(result.slug).root / source.path).read_text()
    element = BeautifulSoup(copy, "html.parser").select_one(selector.removeprefix("selector="))
    assert element is not None
    a, b = (int(x) for x in chars.removeprefix("chars=").split("-"))
    assert normal(element.get_text())[a:b] == normal(claim.statement)
    assert normal(span_text(app, result.slug, text.path, text.locator)) == normal(claim.statement)
    assert claim.conditions == {"dataset": "CommonVoice-Welsh"}
    comparison = next(
        c for c in app.aras.claims(result.slug) if "reduces the word error rate" in c.statement
    )
    assert comparison.evidence[0].note.startswith("4 Results")
    assert {r.kind for r in comparison.evidence} >= {"html_passage", "text_passage"}


HOSTILE = """<html><head><title>Hostile Paper</title>
<script>window.MARKER_SCRIPT = 1</script><style>body { --marker: MARKER_STYLE }</style>
<meta http-equiv="refresh" content="0; url=https://evil.example/MARKER_META">
</head><body onload="MARKER_ONLOAD()">
<h1>Hostile Paper</h1>
<iframe srcdoc="<p>MARKER_IFRAME</p>"></iframe>
<noscript>MARKER_NOSCRIPT</noscript><template><p>MARKER_TEMPLATE</p></template>
<svg><script>MARKER_SVG</script><text>MARKER_SVGTEXT</text></svg>
<object data="x.swf">MARKER_OBJECT</object><embed src="MARKER_EMBED.swf">
<h2>Results</h2>
<p onclick="MARKER_ONCLICK()">Our method achieves an accuracy of 91.5% on the test set.
<a href="javascript:MARKER_JS()">Read more.</a>
<img src="data:image/png;base64,TUFSS0VSX0RBVEE="></p>
<form action="https://evil.example/MARKER_FORM"><input value="MARKER_INPUT"></form>
<h2>References</h2><ol><li>A. Author. A paper. 2020.</li></ol>
</body></html>"""


def test_hostile_html_never_reaches_the_ara(app, tmp_path, cli):
    path = tmp_path / "hostile.html"
    path.write_text(HOSTILE)
    run = cli("compile", str(path), "--json")
    assert run.code == 0, run.err
    assert "MARKER" not in run.out
    slug = "hostile-paper"
    files = {p: data for p, data in _files(app, slug).items()}
    for name, data in files.items():
        assert b"MARKER" not in data, name
        assert b"<script" not in data.lower() and b"javascript:" not in data.lower(), name
    claims = app.aras.claims(slug)
    assert [c.statement for c in claims] == [
        "Our method achieves an accuracy of 91.5% on the test set."
    ]
    assert structure_of(app, slug)["references"][0]["text"] == "A. Author. A paper. 2020."


def _files(app: App, slug: str) -> dict[str, bytes]:
    root = app.aras.paths(slug).root
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_deep_nesting_is_refused_before_anything_is_written(app, tmp_path, compile_into):
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 400 + "text" + "</div>" * 400 + "</body></html>")
    head = Git(app.workspace.root).head()
    with pytest.raises(InputError) as caught:
        compile_into(path)
    assert str(path) in str(caught.value) and "more than 256 deep" in str(caught.value)
    assert Git(app.workspace.root).head() == head and app.aras.all() == []


def test_size_and_element_limits(tmp_path):
    path = tmp_path / "big.html"
    path.write_text("<p>" + "word " * 400 + "</p>" * 2)
    with pytest.raises(InputError, match="over the 0 MB limit for HTML"):
        read_paper(path, CompileLimits(max_html_bytes=1000))
    path.write_text("<html><body>" + "<span>x</span>" * 200 + "</body></html>")
    with pytest.raises(InputError, match="more than 100 elements"):
        read_paper(path, CompileLimits(max_html_elements=100))


def test_images_outside_the_papers_folder_are_not_copied(tmp_path):
    (tmp_path / "secret.png").write_bytes(b"\x89PNG not really")
    folder = tmp_path / "paper"
    folder.mkdir()
    page = folder / "page.html"
    page.write_text(
        "<html><body><h1>Leaky</h1><figure><img src='../secret.png'>"
        "<img src='/etc/passwd'><img src='https://example.org/remote.png'>"
        "<figcaption>Figure 1: Three images.</figcaption></figure></body></html>"
    )
    doc = read_paper(page, CompileLimits())
    assert doc.images == []
    (figure,) = doc.figures
    assert figure.remote == ("https://example.org/remote.png",)
    assert sum("outside the paper's folder" in w for w in doc.warnings) == 2


def test_plain_html_article(app, tmp_path, compile_into):
    path = tmp_path / "blog.html"
    path.write_text(
        "<html><head><title>Plain Study</title></head><body><h1>Plain Study</h1>"
        "<h2>Findings</h2><p>The new parser reduces the error rate by 3.5 points on the "
        "Penn treebank.</p><table><caption>Table 2: Errors.</caption><tr><th>Parser</th>"
        "<th>Error</th></tr><tr><td>Old</td><td>9.0</td></tr></table>"
        "<h2>References</h2><ul><li>C. Writer. Parsing. 2019.</li></ul></body></html>"
    )
    result = compile_into(path)
    structure = structure_of(app, result.slug)
    assert [s["title"] for s in structure["sections"]] == ["Findings", "References"]
    assert structure["tables"][0]["label"] == "Table 2" and structure["tables"][0]["rows"] == 2
    assert [r["text"] for r in structure["references"]] == ["C. Writer. Parsing. 2019."]
    (claim,) = app.aras.claims(result.slug)
    assert claim.kind == "effect" and claim.numbers[0].value == 3.5
