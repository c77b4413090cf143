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
