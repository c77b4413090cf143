"""``researchos kits``: list the installed kits, match a brief, show a kit's ideas."""

from __future__ import annotations

import json
from pathlib import Path

from researchos.app import App


def test_kits_list_shows_every_builtin(cli) -> None:
    result = cli("kits", "list", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [kit["name"] for kit in data["kits"]] == [
        "algorithm-scaling",
        "classifier-comparison",
        "monte-carlo",
    ]
    assert data["load_errors"] == {}


def test_kits_match_reads_a_brief_from_a_file(cli, tmp_path: Path) -> None:
    brief = tmp_path / "brief.md"
    brief.write_text("Antithetic variates for Monte Carlo option pricing\n", encoding="utf-8")
    result = cli("kits", "match", f"@{brief}", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)[0]["name"] == "monte-carlo"


def test_kits_ideas_lists_flagged_ideas(cli) -> None:
    result = cli("kits", "ideas", "quicksort on sorted input", "--json", "--seed", "3")
    assert result.code == 0, result.err
    ideas = json.loads(result.out)
    assert {idea["kit"] for idea in ideas} == {"algorithm-scaling"}
    assert any(flag["reason"] == "too_expensive" for idea in ideas for flag in idea["flags"])


def test_an_empty_brief_and_an_unknown_kit_are_one_line_errors(cli) -> None:
    empty = cli("kits", "match", "   ")
    assert empty.code == 1 and "the research brief is empty" in empty.err
    unknown = cli("kits", "ideas", "x", "--kit", "nope")
    assert unknown.code == 1 and "no experiment kit named 'nope'" in unknown.err
    assert "Traceback" not in unknown.err


def test_the_app_exposes_the_kits(app: App) -> None:
    assert app.kits.get("monte-carlo").name == "monte-carlo"
