"""Seal L3 on a real kit ARA through the real bwrap sandbox."""

from __future__ import annotations

import json
import os

import yaml
from kit_ara import RUNS, record_outputs, run_once, write_code
from seal_data import findings

from researchos.files import dump_yaml, sha256_file


def test_an_ara_whose_numbers_reproduce_passes_l1_to_l3_and_is_sealed(kit_app):
    report = kit_app.seal.seal("mc-pi")
    assert [(r.level, r.passed) for r in report.levels] == [(1, True), (2, True), (3, True)]
    assert report.status == "sealed" and report.promoted
    assert report.details["l3_compared"] == 12  # 2 conditions x 3 seeds x (jsonl + csv)
    assert report.details["l3_tolerance"]["from"] == "code/specs/mc-pi-abs-error.yaml"
    run = kit_app.runs.get(report.details["l3_run"])
    assert (run.runner, run.isolation, run.result_class) == ("bwrap", "namespaces", "succeeded")
    manifest = yaml.safe_load((kit_app.workspace.ara_path("mc-pi") / "ara.yaml").read_text())
    assert manifest["status"] == "sealed"
    assert all(manifest["seal"][level]["passed"] for level in ("l1", "l2", "l3"))
    subject = kit_app.workspace.git.run("log", "-1", "--format=%s").stdout.strip()
    assert subject.startswith("ara.seal(mc-pi): seal: L1 passed, L2 passed, L3 passed")
    for claim_id in report.promoted:
        assert kit_app.aras.claim("mc-pi", claim_id).status == "verified"


def _move_value(app, condition: str, seed: int, factor: float) -> tuple[str, int, float, float]:
    """Scale the first metric of one recorded file and re-pin the claims citing it."""
    relative = f"{RUNS}/{condition}/seed-{seed}/metrics.jsonl"
    path = app.workspace.ara_path("mc-pi") / relative
    lines = path.read_text().splitlines()
    row = json.loads(lines[0])
    before = row["value"]
    row["value"] = before * factor
    lines[0] = json.dumps(row)
    app.aras.write_files(
        "mc-pi", {relative: "\n".join(lines) + "\n"}, event="evidence.edit", summary="x"
    )
    digest = sha256_file(path)
    for claim in app.aras.claims("mc-pi"):
        refs = [r.model_dump(mode="json") for r in claim.evidence]
        if any(r["path"] == relative for r in refs):
            for ref in refs:
                if ref["path"] == relative:
                    ref["sha256"] = digest
            app.aras.update_claim("mc-pi", claim.id, {"evidence": refs})
    return relative, 1, before, row["value"]


def test_one_evidence_value_moved_by_2_3_percent_fails_l3_naming_file_field_and_values(kit_app):
    relative, line, before, after = _move_value(kit_app, "antithetic", 1, 1.023)
    report = kit_app.seal.seal("mc-pi")
    assert [(r.level, r.passed) for r in report.levels] == [(1, True), (2, True), (3, False)]
    errors = [f for f in findings(report, 3) if f.severity == "error"]
    assert [(e.check, e.file, e.field) for e in errors] == [
        ("l3.outputs", f"ara/mc-pi/{relative}", f"line {line} /value")
    ]
    assert errors[0].expected == repr(after) and errors[0].actual == repr(before)
    assert "differs by -2.25%, outside tolerance (relative 1e-06" in errors[0].message
    assert report.status == "draft" and report.promoted == []
    assert report.held == "L3 failed in this seal"
    stored = yaml.safe_load((kit_app.workspace.ara_path("mc-pi") / "ara.yaml").read_text())
    assert stored["status"] == "draft" and stored["seal"]["l3"]["passed"] is False
    assert f"ara/mc-pi/{relative}: line 1 /value" in stored["seal"]["l3"]["findings"][0]


def test_a_non_executable_reproduce_script_fails_l1_and_l3(kit_app):
    script = kit_app.workspace.ara_path("mc-pi") / "code/reproduce.sh"
    os.chmod(script, 0o644)
    kit_app.workspace.git.run("commit", "-qam", "drop the exec bit")
    report = kit_app.seal.seal("mc-pi", all_levels=True, levels=[1, 3])
    l1 = [(f.file, f.field) for f in findings(report, 1)]
    assert l1 == [("ara/mc-pi/code/reproduce.sh", "mode")]
    l3 = [f for f in findings(report, 3) if f.check == "l3.reproduce"]
    assert len(l3) == 1 and "ended failed (exit 126" in l3[0].message


def test_a_reproduction_over_its_compute_budget_fails(kit_app):
    root = kit_app.workspace.ara_path("mc-pi")
    spec_path = root / "code/specs/mc-pi-abs-error.yaml"
    spec = yaml.safe_load(spec_path.read_text())
    spec["budget_cpu_seconds"] = 0.001
    kit_app.aras.write_files(
        "mc-pi",
        {"code/specs/mc-pi-abs-error.yaml": dump_yaml(spec)},
        event="spec.edit",
        summary="x",
    )
    report = kit_app.seal.seal("mc-pi", levels=[3])
    errors = [f for f in findings(report, 3) if f.severity == "error"]
    assert [(e.check, e.file, e.field) for e in errors] == [
        ("l3.runtime", "ara/mc-pi/code/specs/mc-pi-abs-error.yaml", "budget_cpu_seconds")
    ]
    assert errors[0].expected == "<= 0.003 s"


def test_seeds_committed_after_the_first_run_fail(app):
    from kit_ara import analyse_outputs, kit_spec

    spec = kit_spec(seeds=(0, 1))
    app.aras.create(title=spec.title, slug="late", mode="mock")
    write_code(app, "late", spec, with_spec=False)
    record, out = run_once(app, "late")
    record_outputs(app, "late", record, out)
    app.aras.write_files(
        "late",
        {f"code/specs/{spec.id}.yaml": dump_yaml(spec.to_dict())},
        event="spec.add",
        summary="x",
    )
    analyse_outputs(app, "late", spec, record, out)
    report = app.seal.seal("late", levels=[3])
    errors = [f for f in findings(report, 3) if f.severity == "error"]
    assert [(e.check, e.file, e.field) for e in errors] == [
        ("l3.seeds", f"ara/late/code/specs/{spec.id}.yaml", "seeds"),
        ("l3.seeds", f"ara/late/code/specs/{spec.id}.yaml", "seeds"),
    ]
    assert "seed 0 was registered at commit" in errors[0].message
    assert "not before the first run's evidence at commit" in errors[0].message
