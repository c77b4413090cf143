"""The offline demo at ten repeats on the version-trap fixture: three conditions, both agents.

60 cells; the quick matrix of the default tests covers the API-drift fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from researchos.app import App
from researchos.matrix.catalog import EXPERIMENTS_DIR


@pytest.mark.slow
def test_demo_at_ten_repeats_separates_the_agents(app: App, tmp_path: Path) -> None:
    text = (EXPERIMENTS_DIR / "demo.yaml").read_text().replace("repeats: 5", "repeats: 10")
    assert "fixtures: [api_drift, version_trap]" in text
    text = text.replace("fixtures: [api_drift, version_trap]", "fixtures: [version_trap]")
    (tmp_path / "demo10.yaml").write_text(text)
    shown = app.matrix.run(str(tmp_path / "demo10.yaml"), ara="demo-matrix")
    assert shown["cells_done"] == 60 and not shown["summary"]["errors"]
    groups = {
        (g["fixture"], g["condition"], g["agent"]): g["metrics"] for g in shown["summary"]["groups"]
    }
    for fixture in ("version_trap",):
        for condition in ("static-brief", "mcp-brief"):
            follower = groups[(fixture, condition, "follower")]
            ignorer = groups[(fixture, condition, "ignorer")]
            # disjoint 95% intervals, for success as well as for compliance
            assert follower["success"]["ci_low"] > ignorer["success"]["ci_high"], (
                fixture,
                condition,
            )
            assert follower["compliance"]["ci_low"] > ignorer["compliance"]["ci_high"]
            assert follower["forbidden_edits"]["mean"] == 0.0 < ignorer["forbidden_edits"]["mean"]
        baseline = groups[(fixture, "baseline", "follower")]
        assert (
            baseline["success"]["mean"]
            < groups[(fixture, "mcp-brief", "follower")]["success"]["mean"]
        )
    supported = [
        c
        for c in app.aras.claims("demo-matrix")
        if c.status == "supported" and c.kind == "comparison"
    ]
    assert supported
