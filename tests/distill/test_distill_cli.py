"""``researchos distill`` from the command line: output, errors, long sessions in chunks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from researchos.app import App
from researchos.artifacts.validate import validate_ara
from researchos.distill import Distiller, Limits
from researchos.distill.sample import write_session

Cli = Callable[..., Any]


def test_json_output_describes_the_distillation(cli: Cli, fixtures: Path) -> None:
    assert cli("init").code == 0
    result = cli("distill", str(fixtures / "codex-rollout.jsonl"), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["format"] == "codex" and data["mode"] == "mock" and data["created"]
    assert data["ara"] == "session-codex-rollout" and data["calls"] == 1
    assert data["events"]["command"] == 2 and data["events"]["error"] == 1
    assert data["accepted"]["claims"] == len(data["claims"]) > 0
    assert data["evidence"].startswith("evidence/raw/codex-rollout-")
    assert data["evidence_mode"] == "full" and data["warnings"] == []
    shown = json.loads(cli("ara", "show", data["ara"], "--json").out)
    assert [c["id"] for c in shown["claims"]] == data["claims"]
    # Seal L1 ran afterwards and recorded its result on the ARA
    l1 = data["hooks"]["after_distill_seal"]
    assert l1["level"] == 1 and shown["ara"]["seal"]["l1"]["passed"] is l1["passed"]


def test_human_output_and_forced_format(cli: Cli, fixtures: Path) -> None:
    assert cli("init").code == 0
    result = cli("distill", str(fixtures / "truncated.jsonl"), "--format", "claude")
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert "distilled truncated.jsonl (claude, 13 lines)" in text and "[mock]" in text
    assert "warning: final line 13 is truncated; it was ignored" in text


def test_bad_invocations_are_one_line_errors(cli: Cli, fixtures: Path, tmp_path: Path) -> None:
    assert cli("init").code == 0
    neither = cli("distill")
    assert neither.code == 1 and "give either a TRANSCRIPT or --watch DIR" in neither.err
    both = cli("distill", str(fixtures / "garbled.jsonl"), "--watch", str(tmp_path))
    assert both.code == 1
    garbled = cli("distill", str(fixtures / "garbled.jsonl"))
    assert garbled.code == 1 and "garbled.jsonl: line 6: is not valid JSON" in garbled.err
    assert "Traceback" not in garbled.err
    unknown = cli("distill", str(fixtures / "terminal-session.txt"), "--format", "word")
    assert unknown.code == 1 and "unknown format 'word'" in unknown.err
    missing = cli("distill", str(fixtures / "terminal-session.txt"), "--ara", "nope")
    assert missing.code == 1 and "no ARA named 'nope'" in missing.err
    assert cli("distill", str(tmp_path / "absent.jsonl")).code == 1
    assert json.loads(cli("ara", "list", "--json").out) == []


def test_a_long_session_is_sent_in_chunks_within_the_limits(app: App, tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    size = write_session(path, 3_000_000, seed=1)
    limits = Limits(
        chunk_tokens=2_000, max_chunks=3, evidence_full_bytes=1_000_000, max_events=2_000
    )
    distiller = Distiller(app, limits)
    report = distiller.distill(path)
    assert report.calls == 3 and report.events_left_out > 0
    assert len(app.aras.get(report.ara).provenance.routing) == 3
    assert report.evidence_mode == "cited-lines" and report.claims
    assert any("not kept" in warning for warning in report.warnings)
    evidence = (app.workspace.ara_path(report.ara) / report.evidence).read_bytes()
    assert evidence.count(b"\n") == report.lines  # line numbers stay valid
    assert len(evidence) < size / 20  # only cited lines are copied
    assert validate_ara(app.workspace.ara_path(report.ara)).ok
