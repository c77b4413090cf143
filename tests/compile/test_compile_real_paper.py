"""A real paper (IPAC'18 WEPML008, CC BY 3.0; see data/README.md) compiles into a sound ARA."""

from __future__ import annotations

import hashlib

import pytest
from ara_reading import DATA, REAL_PAPER, normal, span_text, structure_of

from researchos.app import App
from researchos.compile.compiler import CompileResult
from researchos.compile.grounding import numbers_in
from researchos.compile.writer import NO_CODE_FLAG
from researchos.drafts.numbers import matches

LOGO_BYTES = 2063  # the JACoW logo, drawn on every page: decoration, not a figure


@pytest.fixture
def compiled(app: App, compile_into) -> CompileResult:
    return compile_into(REAL_PAPER)


def test_the_licence_and_source_are_recorded():
    readme = (DATA / "README.md").read_text()
    digest = hashlib.sha256(REAL_PAPER.read_bytes()).hexdigest()
    assert digest in readme and "CC BY 3.0" in readme and "refextract==1.0.3" in readme
    assert REAL_PAPER.stat().st_size < 1_000_000


def test_structure_of_the_real_paper(app, compiled):
    structure = structure_of(app, compiled.slug)
    assert compiled.title == "Tuner Testing of a Dressed 3.9 GHz Cavity for LCLS-II at Fermilab"
    assert compiled.pages == 3
    assert [s["title"] for s in structure["sections"]] == [
        "Abstract",
        "INTRODUCTION",
        "TUNER TEST RESULTS",
        "CAVITY TRANSFER FUNCTION AND BACKGROUND NOISE MEASUREMENTS",
        "CONCLUSION",
        "REFERENCES",
    ]
    assert [f["label"] for f in structure["figures"]] == [f"Figure {n}" for n in range(1, 8)]
    assert structure["figures"][4]["caption"].startswith("Figure 5: Histogram of the 3.9 GHz")
    assert [r["label"] for r in structure["references"]] == ["[1]", "[2]", "[3]", "[4]", "[5]"]
    assert structure["references"][0]["text"].startswith("R. Paparella et al.")
    root = app.aras.paths(compiled.slug).root
    images = list((root / "evidence/figures").glob("page-*"))
    assert len(images) >= 5 and all(p.stat().st_size != LOGO_BYTES for p in images)
    # the running headers and the licence line in the margin are not passages
    text = " ".join(normal(c.statement) for c in app.aras.claims(compiled.slug))
    assert "JACoW" not in text and "CC BY" not in text


def test_every_claim_of_the_real_paper_is_grounded(app, compiled):
    claims = app.aras.claims(compiled.slug)
    assert len(claims) >= 5 and compiled.rejected == []
    for claim in claims:
        text_ref = claim.evidence[1]
        quoted = span_text(app, compiled.slug, text_ref.path, text_ref.locator)
        assert normal(quoted) == normal(claim.statement)
        for number in claim.numbers:
            path, locator = number.source.split("#")
            (written,) = numbers_in(span_text(app, compiled.slug, path, locator))
            assert matches(written, [number.value])


def test_a_two_column_claim_is_boxed_in_its_column(app, compiled):
    claim = next(c for c in app.aras.claims(compiled.slug) if "~120 Hz/V" in c.statement)
    assert claim.statement == "For both piezo responses the sensitivity was ~120 Hz/V."
    page, box = claim.evidence[0].locator.split(";")
    x0, _, x1, _ = (float(v) for v in box.removeprefix("bbox=").split(","))
    assert page == "page=2" and x0 > 290 and x1 <= 593  # the right-hand column


def test_the_real_paper_links_no_code(app, compiled):
    assert NO_CODE_FLAG in compiled.flags and compiled.code == []
    assert NO_CODE_FLAG in app.aras.get(compiled.slug).flags
