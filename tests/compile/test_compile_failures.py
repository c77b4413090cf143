"""Bad papers and failed writes: clear errors naming the file, and no half-written ARA."""

from __future__ import annotations

import io
import re

import paperfactory
import pytest
from pypdf import PdfReader, PdfWriter

from researchos.app import App
from researchos.compile import writer
from researchos.compile.limits import CompileLimits
from researchos.errors import Conflict, InputError, ProviderError
from researchos.history.git import Git


def _encrypted(data: bytes, user_password: str) -> bytes:
    pdf = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    pdf.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue()


def _untouched(app: App, head: str | None) -> None:
    """No ARA directory, no new commit, a clean tree and an empty index."""
    assert [p.name for p in app.workspace.ara_dir.iterdir()] == [".gitkeep"]
    assert Git(app.workspace.root).head() == head
    assert [p for p in Git(app.workspace.root).dirty_paths() if p.startswith("ara/")] == []
    assert app.aras.all() == []


def test_password_protected_pdf_says_decrypt_it_first(app, tmp_path, compile_into):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted(paperfactory.sample_paper()[0], "secret"))
    head = Git(app.workspace.root).head()
    with pytest.raises(InputError) as caught:
        compile_into(path)
    message = str(caught.value)
    assert str(path) in message and "encrypted" in message and "decrypt it first" in message
    _untouched(app, head)


def test_pdf_encrypted_without_a_user_password_compiles(app, tmp_path, compile_into):
    path = tmp_path / "owner-only.pdf"
    path.write_bytes(_encrypted(paperfactory.sample_paper()[0], ""))
    result = compile_into(path)
    assert any("93.2%" in c.statement for c in app.aras.claims(result.slug))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"this is not a pdf at all", "not a PDF"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "cannot be read as a PDF"),
        (b"", "not a PDF"),
    ],
    ids=["no-header", "garbage-body", "empty"],
)
def test_corrupt_pdf_is_a_clear_error(app, tmp_path, compile_into, content, expected):
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    head = Git(app.workspace.root).head()
    with pytest.raises(InputError) as caught:
        compile_into(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)
    assert caught.value.fix
    _untouched(app, head)


def test_truncated_pdf_is_an_error_or_a_whole_compile(app, tmp_path, compile_into):
    data = paperfactory.sample_paper()[0]
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 3])
    head = Git(app.workspace.root).head()
    with pytest.raises(InputError) as caught:
        compile_into(path)
    assert str(path) in str(caught.value)
    _untouched(app, head)


def test_page_and_size_limits(app, sample_pdf, compile_into):
    path, _ = sample_pdf
    with pytest.raises(InputError, match="has 3 pages, over the 2-page limit"):
        compile_into(path, limits=CompileLimits(max_pages=2))
    with pytest.raises(InputError, match="over the 0 MB limit"):
        compile_into(path, limits=CompileLimits(max_pdf_bytes=100))


def test_scanned_pdf_without_text_asks_for_ocr(app, tmp_path, compile_into):
    page = paperfactory.Page()
    page.image("Im1", 40, 30)
    path = tmp_path / "scan.pdf"
    path.write_bytes(paperfactory.pdf_bytes([page]))
    with pytest.raises(InputError, match=r"no extractable text.*ocrmypdf"):
        compile_into(path)


def test_missing_and_unknown_files(app, tmp_path, compile_into):
    with pytest.raises(InputError, match="no such file"):
        compile_into(tmp_path / "nope.pdf")
    odd = tmp_path / "paper.bin"
    odd.write_bytes(b"\x00\x01\x02")
    with pytest.raises(InputError, match="neither a PDF nor an HTML"):
        compile_into(odd)


def test_a_failed_write_leaves_no_half_written_ara(app, sample_pdf, compile_into, monkeypatch):
    path, _ = sample_pdf
    head = Git(app.workspace.root).head()
    real_claim = writer._claim

    def invalid(*args, **kwargs):
        claim = real_claim(*args, **kwargs)
        return {**claim, "confidence": 7.0}  # the Claim model refuses this inside add_claims

    monkeypatch.setattr(writer, "_claim", invalid)
    with pytest.raises(InputError, match="confidence"):
        compile_into(path)
    slug = "gradient-noise-helps-small-vision-models"
    assert not app.workspace.ara_path(slug).exists()
    assert app.aras.all() == []
    assert [p for p in Git(app.workspace.root).dirty_paths() if p.startswith("ara/")] == []
    subjects = Git(app.workspace.root).run("log", "--format=%s", f"{head}..HEAD").stdout
    assert subjects.splitlines() == [
        f"compile.abort({slug}): remove ARA '{slug}': its compile failed",
        f"ara.create({slug}): create ARA 'Gradient Noise Helps Small Vision Models'",
    ]
    with app.database.session() as session:
        from researchos.store import index

        assert index.counts(session)["aras"] == 0
    # and the paper compiles cleanly afterwards
    monkeypatch.setattr(writer, "_claim", real_claim)
    assert compile_into(path).slug == slug


def test_a_model_failure_writes_nothing(app, sample_pdf, compile_into, monkeypatch):
    path, _ = sample_pdf
    head = Git(app.workspace.root).head()

    def unavailable(*args, **kwargs):
        raise ProviderError("the model is unavailable", category="network_error")

    monkeypatch.setattr(app.router, "call", unavailable)
    with pytest.raises(ProviderError):
        compile_into(path)
    _untouched(app, head)


def test_a_bad_slug_is_refused_before_the_model_is_asked(app, sample_pdf, compile_into):
    with pytest.raises(InputError, match=re.escape("--ara: '../escape' is not a valid ARA slug")):
        compile_into(sample_pdf[0], slug="../escape")
    from researchos.store.provider_calls import recent_calls

    with app.database.session() as session:
        assert recent_calls(session) == []  # refused before any model call
    assert app.aras.all() == []


def test_existing_aras_are_never_overwritten(app, sample_pdf, compile_into):
    path, _ = sample_pdf
    first = compile_into(path)
    with pytest.raises(Conflict, match=r"already exists.*--ara"):
        compile_into(path)
    with pytest.raises(Conflict, match="already holds a compiled paper"):
        compile_into(path, slug=first.slug)
    app.aras.create(title="My notes", slug="my-notes")
    added = compile_into(path, slug="my-notes")
    manifest = app.aras.get("my-notes")
    assert manifest.title == "My notes" and manifest.claims == added.claims
    assert manifest.provenance.source == "manual" and manifest.provenance.routing
