"""`researchos demo` (the README's main job) runs the built-in brief to a verified package."""

import json
from pathlib import Path


def test_demo_runs_to_a_verified_signed_package(cli, clean_env):
    result = cli("demo", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["status"] == "completed"
    assert report["package"]["verified"] is True and report["package"]["mock"] is True
    assert Path(report["package"]["zip"]).is_file()
    kinds = {claim["kind"] for claim in report["claims"]}
    assert "effect" in kinds and kinds & {"comparison", "null_result"}
    verified = cli("package", "verify", report["package"]["zip"], "--json")
    assert verified.code == 0 and json.loads(verified.out)["ok"] is True


def test_the_demo_ara_is_sealed_and_a_value_moved_by_2_3_percent_fails_l3(cli, clean_env):
    report = json.loads(cli("demo", "--json").out)
    slug = report["project"]
    sealed = json.loads(cli("seal", slug, "--json").out)
    assert [level["passed"] for level in sealed["levels"]] == [True, True, True]
    root = clean_env / "ara" / slug
    target = sorted((root / "evidence/raw/runs").rglob("metrics.jsonl"))[0]
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    rows[0]["value"] = rows[0]["value"] * 1.023
    target.write_text("".join(json.dumps(row) + "\n" for row in rows))
    failed = cli("seal", slug, "--level", "3", "--json")
    assert failed.code == 1
    result = json.loads(failed.out)
    [l3] = result["levels"]
    assert l3["passed"] is False
    text = json.dumps(l3["findings"])
    assert target.relative_to(root).as_posix() in text and "expected" in text
