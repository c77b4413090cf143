"""``researchos seal`` and ``researchos seal-checks`` through the real entry point."""

from __future__ import annotations

import json
import os
from pathlib import Path

from seal_data import make_ara

from researchos.seal import all_checks

DOCS = Path(__file__).resolve().parents[2] / "docs" / "seal.md"


def test_seal_json_reports_levels_findings_and_exit_code(app, cli):
    root = make_ara(app)
    result = cli("seal", "demo", "--level", "1", "--level", "2", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [(lvl["level"], lvl["passed"]) for lvl in data["levels"]] == [(1, True), (2, True)]
    assert data["promoted"] == ["C0001"] and data["status"] == "draft"
    assert data["packet"] == "ara/demo/views/review-packet.md"
    assert data["commit"] and data["details"]["routing"]["second"]["tier"] == "strong"
    os.chmod(root / "code/reproduce.sh", 0o644)
    result = cli("seal", "demo", "--level", "1", "--json")
    assert result.code == 1
    finding = json.loads(result.out)["levels"][0]["findings"][0]
    assert (finding["file"], finding["field"], finding["check"]) == (
        "ara/demo/code/reproduce.sh",
        "mode",
        "l1.reproduce_script",
    )


def test_seal_prints_a_table_and_names_the_packet(app, cli):
    make_ara(app)
    result = cli("seal", "demo", "--level", "1")
    assert result.code == 0, result.err
    assert "L1 structure" in result.out and "review-packet.md" in result.out


def test_bad_input_is_a_one_line_error(app, cli):
    result = cli("seal", "nope")
    assert result.code == 1 and "no ARA named 'nope'" in result.err
    make_ara(app)
    result = cli("seal", "demo", "--level", "4")
    assert result.code == 1 and "there is no seal level 4" in result.err


def test_every_check_is_listed_and_documented(cli):
    result = cli("seal-checks", "--json")
    assert result.code == 0
    names = [row["name"] for row in json.loads(result.out)]
    assert names == [c.name for c in all_checks()] and len(names) >= 12
    docs = DOCS.read_text()
    missing = [name for name in names if f"`{name}`" not in docs]
    assert missing == [], f"document these checks in docs/seal.md: {missing}"
