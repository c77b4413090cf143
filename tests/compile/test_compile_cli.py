"""``researchos compile`` end to end through the real entry point."""

from __future__ import annotations

import json

from ara_reading import REAL_PAPER


def test_compile_json_then_show_and_log(cli, app, sample_pdf):
    path, _ = sample_pdf
    run = cli("compile", str(path), "--json")
    assert run.code == 0, run.err
    result = json.loads(run.out)
    slug = result["slug"]
    assert result["kind"] == "pdf" and result["mock"] is True and len(result["claims"]) == 2
    assert "no_reproduction_code" in result["flags"]
    shown = json.loads(cli("ara", "show", slug, "--json").out)
    assert shown["ara"]["provenance"]["source"] == "compile"
    assert shown["ara"]["provenance"]["origin"] == "gradient-noise.pdf"
    log = cli("log", "--ara", slug, "--json")
    events = [entry["event"] for entry in json.loads(log.out)]
    assert events[:4] == ["ara.seal", "compile.flag", "compile.add", "ara.create"]
    # Seal L1 ran on the new ARA and says what is missing: no reproduction code
    assert result["hooks"]["seal_l1"]["passed"] is False
    assert any("reproduce.sh" in f for f in result["hooks"]["seal_l1"]["findings"])
    validate = cli("ara", "validate", slug)
    assert validate.code == 0, validate.out + validate.err


def test_compile_prints_a_summary(cli, app):
    run = cli("compile", str(REAL_PAPER), "--ara", "ipac18-tuner")
    assert run.code == 0, run.err
    assert "ipac18-tuner" in run.out and "MOCK" in run.out
    assert "no reproduction code found" in run.out


def test_cli_errors_are_one_line(cli, app, tmp_path):
    missing = cli("compile", str(tmp_path / "absent.pdf"))
    assert missing.code == 1 and "no such file" in missing.err and "Traceback" not in missing.err
    locked = tmp_path / "broken.pdf"
    locked.write_bytes(b"%PDF-1.4\n garbage")
    broken = cli("compile", str(locked))
    assert broken.code == 1 and "cannot be read as a PDF" in broken.err
