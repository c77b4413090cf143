"""Background archives are hostile until proven otherwise."""

import io
import stat
import zipfile

import pytest

from researchos.errors import InputError, UnsafeInput
from researchos.pipeline.background import (
    Limits,
    extract_background,
    index_background,
    relevant_snippets,
)
from researchos.pipeline.projects import create_project


def make_zip(path, members, *, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = compression
            zf.writestr(info, data)
    return path


def test_good_archive_is_extracted_and_indexed(tmp_path):
    archive = make_zip(
        tmp_path / "bg.zip",
        [
            ("notes/related.md", "Standardisation helps k-NN and SVMs on wine data.", 0o100644),
            ("notes/other.txt", "Unrelated: baking bread at altitude.", 0o100644),
            ("data/raw.bin", b"\x00\x01binary", 0o100644),
        ],
    )
    dest = tmp_path / "out/background"
    members = extract_background(archive, dest)
    assert sorted(members) == ["data/raw.bin", "notes/other.txt", "notes/related.md"]
    assert (dest / "data/raw.bin").read_bytes() == b"\x00\x01binary"
    assert index_background(dest, tmp_path / "out/index.json") == 2
    snippets = relevant_snippets(tmp_path / "out/index.json", "does standardisation help knn")
    assert snippets[0].path == "notes/related.md"


@pytest.mark.parametrize(
    "name, mode, problem",
    [
        ("/etc/cron.d/evil", 0o100644, "absolute path"),
        ("../../escape.txt", 0o100644, "escapes"),
        ("ok/../../escape.txt", 0o100644, "escapes"),
        ("link", stat.S_IFLNK | 0o777, "symbolic links"),
        ("dev", stat.S_IFCHR | 0o644, "device"),
        ("fifo", stat.S_IFIFO | 0o644, "FIFO"),
    ],
)
def test_hostile_members_are_refused_and_nothing_is_written(tmp_path, name, mode, problem):
    archive = make_zip(
        tmp_path / "evil.zip", [("fine.txt", "x", 0o100644), (name, "payload", mode)]
    )
    dest = tmp_path / "out/background"
    with pytest.raises(UnsafeInput) as info:
        extract_background(archive, dest)
    assert problem in str(info.value)
    assert not dest.exists()
    assert not any((tmp_path / "out").iterdir()) if (tmp_path / "out").exists() else True


def test_zip_bomb_is_refused(tmp_path):
    archive = make_zip(tmp_path / "bomb.zip", [("zeros", b"\0" * 20_000_000, 0o100644)])
    with pytest.raises(UnsafeInput, match="zip bomb"):
        extract_background(archive, tmp_path / "dest")
    with pytest.raises(UnsafeInput, match="uncompressed size"):
        extract_background(
            archive, tmp_path / "dest", limits=Limits(total_bytes=1_000_000, ratio=1e9)
        )


def test_lying_sizes_are_caught_while_writing(tmp_path):
    archive = make_zip(
        tmp_path / "a.zip", [("big", b"a" * 500_000, 0o100644)], compression=zipfile.ZIP_STORED
    )
    with pytest.raises(UnsafeInput):
        extract_background(archive, tmp_path / "dest", limits=Limits(total_bytes=100_000))
    assert not (tmp_path / "dest").exists()


def test_not_a_zip(tmp_path):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match="not a readable ZIP"):
        extract_background(bogus, tmp_path / "dest")


def test_project_with_hostile_background_changes_nothing(app, tmp_path):
    archive = make_zip(tmp_path / "evil.zip", [("../x", "p", 0o100644)])
    head = app.workspace.git.head()
    with pytest.raises(UnsafeInput):
        create_project(
            app, brief="A perfectly reasonable research brief about sorting.", background=archive
        )
    assert app.workspace.git.head() == head
    assert not (app.workspace.var_dir / "projects").exists() or not any(
        (app.workspace.var_dir / "projects").iterdir()
    )
    assert app.aras.all() == []


@pytest.mark.parametrize(
    "brief, problem", [("   ", "empty"), ("short", "too short"), ("x" * 100_001, "limit")]
)
def test_bad_briefs(app, brief, problem):
    with pytest.raises(InputError, match=problem):
        create_project(app, brief=brief)
    assert app.aras.all() == []


def test_project_with_background_records_brief_in_ara(app, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("paper.md", "Prior work: random forests beat logistic regression on wine.")
    (tmp_path / "bg.zip").write_bytes(buffer.getvalue())
    project = create_project(
        app,
        brief="Compare classifiers on the wine dataset, please.",
        background=tmp_path / "bg.zip",
    )
    assert project.options["background_chunks"] == 1
    ara = app.workspace.ara_path(project.ara_slug)
    assert (ara / "views/brief.md").read_text().startswith("Compare classifiers")
    assert app.aras.get(project.ara_slug).provenance.project == project.id
