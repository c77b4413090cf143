"""Figures rebuild from their data; analyses land in a real ARA through semantic commits."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from analysis_data import write_runs

from researchos.analysis import AnalysisPlan, analyse, write_analysis
from researchos.app import App
from researchos.artifacts.service import Origin
from researchos.artifacts.validate import validate_ara
from researchos.errors import Conflict
from researchos.history.commits import read_log
from researchos.history.git import Git

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _result(tmp_path: Path, mock: bool = False):
    rng = np.random.default_rng(5)
    base = 0.8 + rng.normal(0, 0.01, 6)
    values = {"base": base, "good": base + 0.05 + rng.normal(0, 0.004, 6), "same": base.copy()}
    inputs = write_runs(tmp_path / "runs", values, mock=mock)
    plan = AnalysisPlan(primary_metric="accuracy", baseline="base")
    return analyse(plan, inputs, context={"dataset": "iris"})


def test_figures_are_pngs_whose_script_rebuilds_them_from_their_data(tmp_path: Path) -> None:
    result = _result(tmp_path)
    out = tmp_path / "ara"
    for rel, data in result.files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    png = out / f"evidence/figures/{result.analysis_id}-accuracy.png"
    assert png.read_bytes().startswith(PNG_MAGIC)
    height, width = matplotlib.image.imread(png).shape[:2]
    assert width >= 300 and height >= 300
    data = json.loads(png.with_suffix(".json").read_text("utf-8"))
    means = {c["name"]: c["mean"] for c in data["conditions"]}
    cells = {(c["condition"]): c["mean"] for c in result.report["cells"]}
    assert means == cells
    assert [len(c["points"]) for c in data["conditions"]] == [6, 6, 6]
    original = png.read_bytes()
    png.unlink()
    run = subprocess.run(
        [sys.executable, str(png.with_suffix(".py"))], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert png.read_bytes() == original


def test_write_analysis_adds_evidence_and_claims_in_one_semantic_commit(
    app: App, tmp_path: Path
) -> None:
    app.aras.create(title="Classifier study", slug="study", mode="mock")
    result = _result(tmp_path, mock=True)
    origin = Origin("agent:analysis", run_id="analysis-1")
    written = write_analysis(app, "study", result, origin)
    assert written.added_claims == [c["id"] for c in result.claims]
    report = validate_ara(app.aras.paths("study").root)
    assert report.ok, report.problems
    root = app.aras.paths("study").root
    for claim in app.aras.claims("study"):
        for ref in claim.evidence:
            digest = hashlib.sha256((root / ref.path).read_bytes()).hexdigest()
            assert digest == ref.sha256, ref.path
    log = read_log(Git(app.workspace.root), ara="study")
    assert [e.event for e in log] == ["analysis.add", "ara.create"]
    assert log[0].commit == written.commit and log[0].trailers["Run"] == "analysis-1"
    assert log[0].trailers["Claim"].split(", ") == [c["id"] for c in result.claims]
    for claim in result.claims:  # every claim is findable by its id in the history
        entries = read_log(Git(app.workspace.root), claim=claim["id"])
        assert [e.commit for e in entries] == [written.commit]
    statuses = {c.id: (c.kind, c.status) for c in app.aras.claims("study")}
    assert ("comparison", "supported") in statuses.values()
    assert ("null_result", "supported") in statuses.values()


def test_write_analysis_is_atomic_idempotent_and_keeps_evidence_immutable(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.aras.create(title="Resume", slug="resume")
    result = _result(tmp_path)
    root = app.aras.paths("resume").root
    head = Git(app.workspace.root).head()
    real_check = app.aras._check_claim_references
    calls: list[str] = []

    def fail_on_third(paths: object, ids: object, claim: object) -> None:
        calls.append("x")
        if len(calls) == 3:
            raise KeyboardInterrupt  # dies half-way through writing the claims
        real_check(paths, ids, claim)  # type: ignore[arg-type]

    monkeypatch.setattr(app.aras, "_check_claim_references", fail_on_third)
    with pytest.raises(KeyboardInterrupt):
        write_analysis(app.aras, "resume", result)
    monkeypatch.undo()
    assert Git(app.workspace.root).head() == head
    assert app.aras.claims("resume") == []
    assert not (root / result.report_path).exists()
    written = write_analysis(app.aras, "resume", result)
    assert written.added_claims == [c["id"] for c in result.claims]
    head = Git(app.workspace.root).head()
    again = write_analysis(app.aras, "resume", result)
    assert (again.added_claims, again.written_files, again.commit) == ([], [], None)
    assert Git(app.workspace.root).head() == head
    (root / result.report_path).write_text("{}", "utf-8")
    with pytest.raises(Conflict, match="immutable"):
        write_analysis(app.aras, "resume", result)
