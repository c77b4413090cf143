"""Seal L1: each structural failure names the file and the field."""

from __future__ import annotations

import os

import yaml
from seal_data import claim, findings, make_ara, sha

from researchos.files import dump_yaml


def _errors(app, slug="demo"):
    report = app.seal.seal(slug, levels=[1])
    return report, [f for f in findings(report, 1) if f.severity == "error"]


def test_a_well_formed_ara_passes_l1_and_records_it(app):
    make_ara(app)
    report, errors = _errors(app)
    assert errors == [] and report.passed
    manifest = yaml.safe_load((app.workspace.ara_path("demo") / "ara.yaml").read_text())
    assert manifest["seal"]["l1"]["passed"] is True
    assert manifest["status"] == "draft"  # L2 and L3 have not passed
    log = app.workspace.git.run("log", "-1", "--format=%s").stdout
    assert log.startswith("ara.seal(demo): seal: L1 passed")


def test_evidence_that_changed_after_the_claim_names_claim_file_and_field(app):
    root = make_ara(app)
    (root / "evidence/raw/metrics.json").write_text('{"accuracy": 0.95}')
    _, errors = _errors(app)
    assert [(e.check, e.file, e.field) for e in errors] == [
        ("l1.schema", "ara/demo/claims/C0001.yaml", "evidence.0.path")
    ]
    assert "sha256 of evidence/raw/metrics.json" in errors[0].message


def test_missing_and_empty_evidence(app):
    root = make_ara(app)
    (root / "evidence/raw/metrics.json").write_text("")
    empty = {"path": "evidence/raw/metrics.json", "sha256": sha(""), "kind": "run_output"}
    data = yaml.safe_load((root / "claims/C0001.yaml").read_text())
    data["evidence"] = [empty, {**empty, "path": "evidence/raw/gone.json"}]
    (root / "claims/C0001.yaml").write_text(dump_yaml(data))
    _, errors = _errors(app)
    found = {(e.file, e.field, e.message) for e in errors}
    assert (
        "ara/demo/claims/C0001.yaml",
        "evidence.0.path",
        "evidence file evidence/raw/metrics.json is empty",
    ) in found
    assert (
        "ara/demo/claims/C0001.yaml",
        "evidence.1.path",
        "evidence file evidence/raw/gone.json does not exist",
    ) in found


def test_a_claim_without_evidence_fails(app):
    make_ara(app, claims=[claim(evidence=[], numbers=[])])
    _, errors = _errors(app)
    assert [(e.file, e.field) for e in errors] == [("ara/demo/claims/C0001.yaml", "evidence")]


def test_reproduce_script_must_exist_and_be_executable(app):
    root = make_ara(app)
    script = root / "code/reproduce.sh"
    os.chmod(script, 0o644)
    _, errors = _errors(app)
    assert [(e.file, e.field) for e in errors] == [("ara/demo/code/reproduce.sh", "mode")]
    script.unlink()
    _, errors = _errors(app)
    assert [(e.file, e.field) for e in errors] == [("ara/demo/code/reproduce.sh", None)]
    assert "missing" in errors[0].message


def test_environment_lock_must_pin_exact_versions_and_python(app):
    root = make_ara(app)
    (root / "code/environment.lock").write_text("# a lock\nnumpy>=1.0\nscipy==1.14.1\npandas\n")
    _, errors = _errors(app)
    assert [(e.file, e.field) for e in errors] == [
        ("ara/demo/code/environment.lock", "line 2"),
        ("ara/demo/code/environment.lock", "line 4"),
        ("ara/demo/code/environment.lock", "python"),
    ]
    assert "'numpy>=1.0' is not an exact pin" in errors[0].message
    (root / "code/environment.lock").unlink()
    _, errors = _errors(app)
    assert [(e.file, e.field) for e in errors] == [("ara/demo/code/environment.lock", None)]


def test_claim_code_and_trace_references_must_resolve(app):
    root = make_ara(app)
    app.aras.add_trace(
        "demo",
        "failure",
        {
            "title": "lr 1.0 diverged",
            "tried": "lr 1.0",
            "why_failed": "loss NaN",
            "failure_class": "negative_result",
            "claims": ["C0001"],
        },
    )
    data = yaml.safe_load((root / "claims/C0001.yaml").read_text())
    data["code"] = ["code/src/missing.py"]
    data["traces"] = ["F0001", "F0099"]
    (root / "claims/C0001.yaml").write_text(dump_yaml(data))
    trace = yaml.safe_load((root / "traces/failures/F0001.yaml").read_text())
    trace["claims"] = ["C0001", "C0404"]
    (root / "traces/failures/F0001.yaml").write_text(dump_yaml(trace))
    _, errors = _errors(app)
    assert {(e.file, e.field) for e in errors} == {
        ("ara/demo/claims/C0001.yaml", "code.0"),
        ("ara/demo/claims/C0001.yaml", "traces.1"),
        ("ara/demo/traces/failures/F0001.yaml", "claims.1"),
    }


def test_schema_errors_name_file_and_field(app):
    root = make_ara(app)
    data = yaml.safe_load((root / "claims/C0001.yaml").read_text())
    data["confidence"] = 7
    (root / "claims/C0001.yaml").write_text(dump_yaml(data))
    _, errors = _errors(app)
    assert [(e.file, e.field) for e in errors] == [("ara/demo/claims/C0001.yaml", "confidence")]
    stored = yaml.safe_load((root / "ara.yaml").read_text())["seal"]["l1"]
    assert stored["passed"] is False
    assert stored["findings"][0].startswith("ara/demo/claims/C0001.yaml: confidence:")


def test_a_failed_level_stops_the_seal_unless_all_levels(app):
    root = make_ara(app)
    (root / "code/environment.lock").unlink()
    report = app.seal.seal("demo")
    assert [(r.level, r.passed, r.skipped) for r in report.levels] == [
        (1, False, False),
        (2, False, True),
        (3, False, True),
    ]
    assert report.verdicts == {}  # no model was asked
    report = app.seal.seal("demo", all_levels=True, levels=[1, 2])
    assert [(r.level, r.skipped) for r in report.levels] == [(1, False), (2, False)]
    assert report.promoted == [] and report.held == "L1 failed in this seal"
