"""``researchos package freeze | verify | ls | key`` through the real entry point."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from researchos.app import App


def test_freeze_verify_ls_and_key(app: App, research_ara: str, cli) -> None:
    frozen = cli("package", "freeze", research_ara, "--json")
    assert frozen.code == 0, frozen.err
    data = json.loads(frozen.out)
    assert data["zip"] == "packages/sorting-study/sorting-study-v1.zip"
    assert data["mock"] is True and data["version"] == 1
    zip_path = app.workspace.root / data["zip"]

    checked = cli("package", "verify", str(zip_path), "--json")
    assert checked.code == 0, checked.out
    report = json.loads(checked.out)
    assert report["ok"] and report["workspace_key_match"] is True

    human = cli("package", "verify", str(zip_path))
    assert human.code == 0 and "verified sorting-study-v1" in human.out

    listed = json.loads(cli("package", "ls", "--json").out)
    assert [p["name"] for p in listed] == ["sorting-study-v1"]
    assert listed[0]["zip"] == data["zip"] and listed[0]["mock"] is True

    key = json.loads(cli("package", "key", "--json").out)
    assert key["fingerprint"] == data["signer"]
    assert "PRIVATE" not in key["pem"]
    assert cli("package", "verify", str(zip_path), "--trusted-key", key["public_key"]).code == 0


def test_verify_exits_1_on_tampering_and_on_an_untrusted_key(
    app: App, frozen, cli, rezip, tmp_path: Path
) -> None:
    bad = rezip(frozen.zip_path, tmp_path / "bad.zip", replace={"views/paper.md": b"# forged\n"})
    result = cli("package", "verify", str(bad))
    assert result.code == 1
    assert "FAILED" in result.out and "views/paper.md" in result.out
    other_key = "ab" * 32
    untrusted = cli("package", "verify", str(frozen.zip_path), "--trusted-key", other_key)
    assert untrusted.code == 1 and "not by the trusted key" in untrusted.out


def test_verify_works_where_there_is_no_workspace(frozen, cli, tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "inbox" / frozen.zip_path.name
    copy.parent.mkdir()
    shutil.copy(frozen.zip_path, copy)
    monkeypatch.setenv("RESEARCHOS_HOME", str(tmp_path / "no-workspace-here"))
    result = cli("package", "verify", str(copy), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["workspace_key_match"] is None
    assert not (tmp_path / "no-workspace-here").exists()


def test_refusals_are_one_line_errors(app: App, research_ara: str, cli, tmp_path: Path) -> None:
    missing = cli("package", "freeze", "no-such-ara")
    assert missing.code == 1 and "no ARA named 'no-such-ara'" in " ".join(missing.err.split())
    hostile = tmp_path / "evil.zip"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr("../../escape.txt", b"x")
    refused = cli("package", "verify", str(hostile))
    assert refused.code == 1 and "path traversal" in " ".join(refused.err.split())
    assert "Traceback" not in refused.err
    assert cli("package", "key").code == 1  # no key before the first freeze


def test_the_progress_bar_follows_large_work_only() -> None:
    from researchos.cli.package import PROGRESS_MIN_BYTES, ProgressBar

    with ProgressBar() as bar:
        bar.start("small", 1024)
        bar.advance(1024)
        assert bar._task is None  # small packages draw nothing
        bar.start("freeze big", PROGRESS_MIN_BYTES)
        bar.advance(PROGRESS_MIN_BYTES)
        assert bar._task is not None
        assert bar._bar.tasks[0].completed == PROGRESS_MIN_BYTES
