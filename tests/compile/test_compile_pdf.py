"""Compiling generated PDFs: located claims, tables, figures, references, the code flag."""

from __future__ import annotations

import csv
import hashlib
import io

import paperfactory
from ara_reading import normal, span_text, structure_of

from researchos.app import App
from researchos.compile.writer import NO_CODE_FLAG


def _claim_with(app: App, slug: str, text: str):
    claims = [c for c in app.aras.claims(slug) if text in c.statement]
    assert len(claims) == 1, [c.statement for c in app.aras.claims(slug)]
    return claims[0]


def test_claims_are_located_on_their_page_with_grounded_quotes(app, sample_pdf, compile_into):
    path, pages = sample_pdf
    result = compile_into(path)
    claim = _claim_with(app, result.slug, "93.2%")
    assert claim.status == "hypothesis" and claim.provenance == "ai-suggested"
    assert claim.kind == "comparison" and "MOCK" in claim.flags
    source, text = claim.evidence[0], claim.evidence[1]
    # the passage is on page 2, and its box covers the line the generator drew there
    assert source.path == "evidence/raw/gradient-noise.pdf" and source.kind == "pdf_passage"
    page, box = source.locator.split(";")
    assert page == "page=2"
    x0, y0, _, y1 = (float(v) for v in box.removeprefix("bbox=").split(","))
    line_y = pages[1].lines[paperfactory.CLAIM_ACCURACY[:40]]
    assert y0 <= line_y <= y1 and x0 == paperfactory.LEFT
    # the text locator points at the quoted sentence in the page's text file
    assert text.path == "evidence/raw/text/page-002.txt"
    assert normal(span_text(app, result.slug, text.path, text.locator)) == normal(
        paperfactory.CLAIM_ACCURACY
    )
    # every number points at itself
    values = {n.value: n for n in claim.numbers}
    assert {93.2, 4.1} <= set(values)
    number_path, locator = values[93.2].source.split("#")
    assert span_text(app, result.slug, number_path, locator) == "93.2%"
    assert values[93.2].unit == "%"


def test_evidence_files_are_pinned_by_sha256(app, sample_pdf, compile_into):
    path, _ = sample_pdf
    result = compile_into(path)
    root = app.aras.paths(result.slug).root
    for claim in app.aras.claims(result.slug):
        for ref in claim.evidence:
            assert hashlib.sha256((root / ref.path).read_bytes()).hexdigest() == ref.sha256
    assert (root / "evidence/raw/gradient-noise.pdf").read_bytes() == path.read_bytes()
    source = structure_of(app, result.slug)["source"]
    assert (
        source["sha256"]
        == source["original_sha256"]
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )


def test_reported_numbers_keep_their_context(app, sample_pdf, compile_into):
    path, _ = sample_pdf
    result = compile_into(path)
    numbers = structure_of(app, result.slug)["numbers"]
    entry = next(n for n in numbers if n["text"] == "12.5")
    assert entry["value"] == 12.5 and entry["section"] == "3 Results"
    assert entry["context"] == paperfactory.CLAIM_LATENCY
    file, locator = entry["source"].split("#")
    assert span_text(app, result.slug, file, locator) == "12.5"
    assert not any(n["text"] == "2016" for n in numbers)  # years are not reported numbers


def test_table_becomes_csv_and_figure_keeps_its_image(app, sample_pdf, compile_into):
    path, _ = sample_pdf
    result = compile_into(path)
    root = app.aras.paths(result.slug).root
    structure = structure_of(app, result.slug)
    (table,) = structure["tables"]
    assert table["label"] == "Table 1" and table["locator"].startswith("page=2;bbox=")
    rows = list(csv.reader(io.StringIO((root / table["csv"]["path"]).read_text())))
    assert rows == paperfactory.TABLE_ROWS
    (figure,) = structure["figures"]
    assert figure["caption"] == "Figure 1: Test accuracy against training epochs."
    (image,) = figure["images"]
    assert (root / image["path"]).read_bytes().startswith(b"\x89PNG")
    # the table's cells are not prose: no claim quotes them
    assert not any("Noisy ResNet-18 93.2" in c.statement for c in app.aras.claims(result.slug))


def test_sections_and_references(app, sample_pdf, compile_into):
    path, _ = sample_pdf
    result = compile_into(path)
    structure = structure_of(app, result.slug)
    assert result.title == structure["title"] == paperfactory.TITLE
    titles = [s["title"] for s in structure["sections"]]
    expected = ["Abstract", "1 Introduction", "2 Method", "3 Results", "4 Conclusion"]
    assert titles == [*expected, "References"]
    assert [r["label"] for r in structure["references"]] == ["[1]", "[2]"]
    assert structure["references"][1]["text"].startswith("K. He et al.")
    claim = _claim_with(app, result.slug, "12.5 minutes")
    assert claim.kind == "effect"
    assert claim.evidence[0].note.startswith("3 Results")


def test_paper_without_code_is_flagged_with_a_review_note(app, sample_pdf, compile_into):
    path, _ = sample_pdf
    result = compile_into(path)
    manifest = app.aras.get(result.slug)
    assert NO_CODE_FLAG in manifest.flags and "MOCK" in manifest.flags
    assert manifest.mode == "mock" and manifest.provenance.source == "compile"
    assert manifest.provenance.origin == "gradient-noise.pdf"
    assert manifest.provenance.routing[0]["phase"] == "compilation"
    notes = (app.aras.paths(result.slug).root / "views/review-notes.md").read_text()
    assert NO_CODE_FLAG in notes and "Seal L3" in notes


def test_paper_with_a_code_link_is_not_flagged(app, tmp_path, compile_into):
    data, _ = paperfactory.sample_paper(code_url="https://github.com/example/noisy-grad")
    path = tmp_path / "with-code.pdf"
    path.write_bytes(data)
    result = compile_into(path, slug="with-code")
    assert NO_CODE_FLAG not in app.aras.get("with-code").flags
    found = structure_of(app, "with-code")["code"]["found"]
    assert "https://github.com/example/noisy-grad" in found
    assert result.code


def test_compiles_are_deterministic(app, sample_pdf, compile_into):
    path, _ = sample_pdf
    first = compile_into(path, slug="first")
    second = compile_into(path, slug="second")
    statements = [[c.statement for c in app.aras.claims(r.slug)] for r in (first, second)]
    assert statements[0] == statements[1] and len(statements[0]) >= 2


def test_untitled_pdf_takes_its_title_from_the_first_page(app, tmp_path, compile_into):
    data, _ = paperfactory.sample_paper(title=False)
    path = tmp_path / "untitled.pdf"
    path.write_bytes(data)
    result = compile_into(path)
    assert result.title == paperfactory.TITLE
    assert result.slug == "gradient-noise-helps-small-vision-models"


def test_a_long_pdf_is_split_into_several_model_calls(app, tmp_path, compile_into):
    from researchos.compile.limits import CompileLimits

    path = tmp_path / "long.pdf"
    path.write_bytes(paperfactory.long_paper(6))
    result = compile_into(path, limits=CompileLimits(chunk_chars=2_000))
    routing = app.aras.get(result.slug).provenance.routing
    assert len(routing) >= 3 and all(r["phase"] == "compilation" for r in routing)
    assert len(result.claims) == 6  # one result sentence per page
    assert result.pages == 6


def test_after_hooks_see_the_whole_ara(app, sample_pdf):
    from researchos.compile.compiler import compile_paper

    seen = []

    def seal_stand_in(result):
        manifest = app.aras.get(result.slug)
        seen.append((result.slug, manifest.claims, manifest.flags))

    path, _ = sample_pdf
    result = compile_paper(path, aras=app.aras, router=app.router, after=[seal_stand_in])
    assert seen == [(result.slug, result.claims, result.flags)]
    assert NO_CODE_FLAG in seen[0][2] and len(seen[0][1]) == 2
