"""Freezing a real ARA: contents, manifest, commit, versions, refusals, crash safety."""

from __future__ import annotations

import importlib
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from researchos.app import App
from researchos.errors import Conflict, InputError, UnsafeInput
from researchos.history.commits import read_log
from researchos.package.manifest import parse_manifest

# the package exports the function ``freeze``, which shadows the module of the same name
freeze_module = importlib.import_module("researchos.package.freeze")


def _head(app: App) -> str | None:
    return app.workspace.git.head()


def _package_files(app: App, slug: str) -> list[str]:
    directory = app.workspace.packages_dir / slug
    return sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []


def test_freeze_packs_the_whole_ara_and_commits_its_manifest(app: App, frozen) -> None:
    assert frozen.zip_path == app.workspace.packages_dir / "sorting-study/sorting-study-v1.zip"
    assert frozen.signature_path.read_bytes() != b""
    with zipfile.ZipFile(frozen.zip_path) as archive:
        names = set(archive.namelist())
        ara = app.workspace.ara_path("sorting-study")
        assert archive.read("views/paper.md") == (ara / "views/paper.md").read_bytes()
        assert archive.read("views/paper.md").startswith(b"# Sorting study")
        assert archive.read("code/reproduce.sh") == (ara / "code/reproduce.sh").read_bytes()
        mode = archive.getinfo("code/reproduce.sh").external_attr >> 16
        assert mode & stat.S_IXUSR, "reproduce.sh must stay executable"
        inner = archive.read("manifest.json")
    assert {
        "ara.yaml",
        "claims/C0001.yaml",
        "traces/failures/F0001.yaml",
        "traces/decisions/D0001.yaml",
        "traces/exploration.yaml",
        "evidence/raw/metrics.jsonl",
        "evidence/raw/results.csv",
        "evidence/figures/speed.png",
        "code/src/experiment.py",
        "code/environment.lock",
        "runs/run-1/metrics.jsonl",
        "runs/run-1/logs/stdout.txt",
        "ro-crate-metadata.json",
        "signing-key.pub",
        "manifest.json",
        "manifest.json.sig",
    } <= names
    assert not any(name.endswith(".gitkeep") for name in names)
    # the committed manifest is byte-for-byte the signed one
    assert frozen.manifest_path.read_bytes() == inner
    tracked = app.workspace.git.run("ls-files", "packages").stdout.split()
    assert tracked == ["packages/.gitkeep", "packages/sorting-study/sorting-study-v1.manifest.json"]
    entry = read_log(app.workspace.git, event="package.freeze")[0]
    assert entry.scope == "sorting-study"
    assert entry.trailers["Package-Version"] == "1"
    assert entry.trailers["Signing-Key"] == frozen.fingerprint
    assert entry.commit == frozen.commit


def test_manifest_carries_provenance_from_ara_and_pipeline(frozen) -> None:
    manifest = parse_manifest(frozen.manifest_path.read_bytes())
    assert manifest.format_version == 1 and manifest.version == 1
    assert manifest.mock is True
    assert "ara.yaml mode is mock" in manifest.mock_reasons
    assert "claim C0001 is flagged MOCK" in manifest.mock_reasons
    assert manifest.model_policy["tiers"] == {"fast": "mock-fast"}
    assert manifest.routing[0]["resolved"] == "mock-strong"
    assert manifest.seeds == [1, 2]
    assert manifest.run_ids == ["run-1"]
    run = manifest.runs[0]
    assert run.artifacts == ["runs/run-1/logs/stdout.txt", "runs/run-1/metrics.jsonl"]
    assert run.evidence == ["evidence/raw/metrics.jsonl"]
    assert manifest.code.named == {"spec-1": "ab" * 32}
    assert set(manifest.code.files) == {
        "code/reproduce.sh",
        "code/src/experiment.py",
        "code/environment.lock",
    }
    assert manifest.code.tree_sha256 and len(manifest.code.tree_sha256) == 64
    assert manifest.ara.authors == ["Ada Lovelace"]
    assert manifest.ara.source_commit
    by_path = {f.path: f for f in manifest.files}
    assert by_path["evidence/raw/results.csv"].size == len("condition,ms\ntimsort,1.55\n")
    assert by_path["code/reproduce.sh"].executable is True
    assert "manifest.json" not in by_path and "manifest.json.sig" not in by_path


def test_large_and_compressed_evidence_is_stored_small_text_deflated(
    app: App, research_ara: str, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x,y\n" + b"1,2\n" * (2 << 20))  # 8 MiB of text: over the deflate limit
    app.aras.add_evidence(research_ara, big)
    result = app.packages.freeze(research_ara)
    with zipfile.ZipFile(result.zip_path) as archive:
        assert archive.getinfo("evidence/raw/big.csv").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("evidence/figures/speed.png").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("claims/C0001.yaml").compress_type == zipfile.ZIP_DEFLATED


def test_versions_increment_and_never_overwrite(app: App, frozen, research_ara: str) -> None:
    first = frozen.zip_path.read_bytes()
    second = app.packages.freeze(research_ara)
    third = app.packages.freeze(research_ara)
    assert (second.version, third.version) == (2, 3)
    assert frozen.zip_path.read_bytes() == first
    assert [p.name for p in app.packages.list()] == [
        "sorting-study-v1",
        "sorting-study-v2",
        "sorting-study-v3",
    ]
    # a version whose ZIP was deleted by hand keeps its number
    third.zip_path.unlink()
    assert app.packages.freeze(research_ara).version == 4


def test_blockers_refuse_freezing_and_are_named(app: App, research_ara: str) -> None:
    head = _head(app)
    with pytest.raises(Conflict) as caught:
        app.packages.freeze(
            research_ara, blockers=["P1 review issue R3: unsupported number", "approval A7"]
        )
    assert caught.value.status == 409
    assert "R3: unsupported number" in str(caught.value) and "approval A7" in str(caught.value)
    assert _package_files(app, research_ara) == [] and _head(app) == head


def test_an_invalid_ara_is_refused_with_its_problems(app: App, research_ara: str) -> None:
    stray = app.workspace.ara_path(research_ara) / "claims" / "C0099.yaml"
    stray.write_text("format_version: 1\nid: C0099\nstatement: not listed\n")
    with pytest.raises(InputError) as caught:
        app.packages.freeze(research_ara)
    assert "claims/C0099.yaml" in str(caught.value)
    assert "not listed in ara.yaml" in str(caught.value)
    assert _package_files(app, research_ara) == []


def test_uncommitted_changes_are_refused(app: App, research_ara: str) -> None:
    paper = app.workspace.ara_path(research_ara) / "views" / "paper.md"
    paper.write_text("edited outside ResearchOS\n")
    with pytest.raises(Conflict, match=r"views/paper\.md"):
        app.packages.freeze(research_ara)


def test_evidence_changed_since_the_claim_is_refused(app: App, research_ara: str) -> None:
    evidence = app.workspace.ara_path(research_ara) / "evidence" / "raw" / "metrics.jsonl"
    evidence.write_text('{"value": 999}\n')
    app.workspace.git.run("commit", "-qam", "sneaky edit")  # committed, so not merely dirty
    app.packages.keys.load_or_create()  # the key's own commit is not part of this freeze
    head = _head(app)
    with pytest.raises(InputError) as caught:
        app.packages.freeze(research_ara)
    assert "claims/C0001.yaml" in str(caught.value)
    assert "evidence.0.sha256" in str(caught.value)
    assert _package_files(app, research_ara) == [] and _head(app) == head


def test_secrets_and_unknown_fields_in_extra_are_refused(app: App, research_ara: str) -> None:
    leaky = {"routing": [{"phase": "x", "headers": {"authorization": "Bearer abcdefghijklmnop"}}]}
    with pytest.raises(UnsafeInput, match=r"extra\.routing\.0\.headers\.authorization"):
        app.packages.freeze(research_ara, extra=leaky)
    key_shaped = {"review": {"note": "sk-proj-" + "a" * 40}}
    with pytest.raises(UnsafeInput, match=r"extra\.review\.note"):
        app.packages.freeze(research_ara, extra=key_shaped)
    twice = {"runs": [{"id": "run-1"}, {"id": "run-1"}]}
    with pytest.raises(InputError, match="run ids must be unique: run-1"):
        app.packages.freeze(research_ara, extra=twice)
    with pytest.raises(InputError, match="seedz"):
        app.packages.freeze(research_ara, extra={"seedz": [1]})
    # usage counters are not secrets
    usage = {"routing": [{"phase": "x", "input_tokens": 10, "max_tokens": 20}]}
    assert app.packages.freeze(research_ara, extra=usage).version == 1


def test_run_artifacts_outside_var_runs_and_symlinks_are_refused(
    app: App, research_ara: str, tmp_path: Path
) -> None:
    outside = {"runs": [{"id": "run-9", "artifacts_dir": str(tmp_path)}]}
    with pytest.raises(UnsafeInput, match=r"extra\.runs\.0\.artifacts_dir"):
        app.packages.freeze(research_ara, extra=outside)
    run_dir = app.workspace.runs_dir / "run-9"
    run_dir.mkdir(parents=True)
    (run_dir / "passwd").symlink_to("/etc/passwd")
    linked = {"runs": [{"id": "run-9", "artifacts_dir": "var/runs/run-9"}]}
    with pytest.raises(UnsafeInput, match="symbolic link"):
        app.packages.freeze(research_ara, extra=linked)
    assert _package_files(app, research_ara) == []


def test_a_crash_while_building_leaves_no_zip_and_no_commit(
    app: App, research_ara: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.packages.keys.load_or_create()
    head = _head(app)

    def explode(**_: object) -> dict[str, object]:
        raise RuntimeError("power cut while describing the crate")

    monkeypatch.setattr(freeze_module, "build_crate", explode)
    with pytest.raises(RuntimeError, match="power cut"):
        app.packages.freeze(research_ara)
    assert _package_files(app, research_ara) == []  # no final ZIP, no temp ZIP, no manifest
    assert _head(app) == head
    assert app.workspace.git.dirty_paths() == []


def test_a_crash_after_publishing_before_the_commit_takes_everything_back(
    app: App, research_ara: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.packages.keys.load_or_create()  # the key commit is not part of this freeze
    head = _head(app)

    def explode(path: Path, data: bytes, **_: object) -> None:
        assert (path.parent / "sorting-study-v1.zip").exists()  # the ZIP was already linked
        raise OSError("disk full writing the .sig")

    monkeypatch.setattr(freeze_module, "write_atomic", explode)
    with pytest.raises(OSError, match="disk full"):
        app.packages.freeze(research_ara)
    assert _package_files(app, research_ara) == []
    assert _head(app) == head
    assert app.workspace.git.dirty_paths() == []


def test_leftovers_of_a_killed_freeze_are_swept(app: App, research_ara: str, frozen) -> None:
    directory = frozen.zip_path.parent
    temp = directory / ".sorting-study-v2.zip.dead.researchos-tmp"
    temp.write_bytes(b"half a zip")
    orphan = directory / "sorting-study-v2.zip"  # linked, then killed before the commit
    orphan.write_bytes(frozen.zip_path.read_bytes())
    result = app.packages.freeze(research_ara)
    assert result.version == 2
    assert not temp.exists()
    assert json.loads(result.manifest_path.read_text())["version"] == 2
    assert app.packages.verify(result.zip_path).ok


def test_the_private_key_never_leaves_var_keys(app: App, frozen, research_ara: str) -> None:
    key_file = app.workspace.root / "var" / "keys" / "signing.ed25519"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    pem = key_file.read_bytes()
    body = b"".join(line for line in pem.splitlines() if not line.startswith(b"-----"))
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(pem, password=None)
    seed = private.private_bytes(  # type: ignore[union-attr]
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    needles = [body, seed, seed.hex().encode()]
    objects = app.workspace.git.run(
        "cat-file", "--batch-all-objects", "--batch", check=True
    ).stdout.encode("utf-8", "surrogateescape")
    logs = b"".join(p.read_bytes() for p in (app.workspace.root / "var" / "logs").glob("*"))
    database = app.workspace.db_path.read_bytes()
    for haystack in (frozen.zip_path.read_bytes(), objects, logs, database):
        assert not any(needle in haystack for needle in needles)
    assert "signing.ed25519" not in app.workspace.git.run("ls-files").stdout
    committed_pub = (app.workspace.root / "system" / "signing-key.pub").read_bytes()
    with zipfile.ZipFile(frozen.zip_path) as archive:
        assert archive.read("signing-key.pub") == committed_pub


def test_a_private_key_readable_by_others_is_refused(app: App, frozen, research_ara: str) -> None:
    key_file = app.workspace.root / "var" / "keys" / "signing.ed25519"
    os.chmod(key_file, 0o644)
    from researchos.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="chmod 600"):
        app.packages.freeze(research_ara)


def test_progress_reports_every_byte(app: App, research_ara: str) -> None:
    seen: dict[str, int] = {}

    class Recorder:
        def start(self, label: str, total: int) -> None:
            seen["total"] = total
            seen["done"] = 0

        def advance(self, amount: int) -> None:
            seen["done"] += amount

    result = app.packages.freeze(research_ara, progress=Recorder())
    assert seen["total"] == seen["done"] > 0
    metadata = sum(
        f.size
        for f in parse_manifest(result.manifest_path.read_bytes()).files
        if f.role == "metadata"
    )
    assert seen["done"] == result.content_bytes - metadata


def test_only_committed_content_is_packed(app: App, research_ara: str) -> None:
    ara = app.workspace.ara_path(research_ara)
    cache = ara / "code" / "src" / "__pycache__"
    cache.mkdir()
    (cache / "experiment.cpython-311.pyc").write_bytes(b"\x00compiled")  # ignored by git
    result = app.packages.freeze(research_ara)
    with zipfile.ZipFile(result.zip_path) as archive:
        assert not any("__pycache__" in name for name in archive.namelist())


def test_a_committed_symlink_in_the_ara_is_refused(app: App, research_ara: str) -> None:
    link = app.workspace.ara_path(research_ara) / "evidence" / "raw" / "secrets.txt"
    link.symlink_to("/etc/passwd")
    app.workspace.git.run("add", str(link))
    app.workspace.git.run("commit", "-qm", "plant a link")
    with pytest.raises(UnsafeInput, match=r"evidence/raw/secrets\.txt: is a symbolic link"):
        app.packages.freeze(research_ara)
    assert _package_files(app, research_ara) == []


def test_concurrent_freezes_get_distinct_versions(app: App, research_ara: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: app.packages.freeze(research_ara), range(2)))
    assert sorted(r.version for r in results) == [1, 2]
    assert all(app.packages.verify(r.zip_path).ok for r in results)
    assert len(read_log(app.workspace.git, event="package.freeze")) == 2
