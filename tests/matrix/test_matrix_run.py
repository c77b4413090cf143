"""An offline matrix end to end: both scripted agents, no brief vs the MCP brief, 3 repeats.

The matrix runs once per module (12 cells, real bwrap sandboxes, a real MCP server per cell on
a unix socket); the tests read what it left: metrics with CIs, the events the agents recorded
and the test wrapper logged, forbidden edits, the report with figures and the claims in an ARA.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from researchos.app import App, build_app
from researchos.settings import load_settings


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, dict[str, Any]]]:
    home = tmp_path_factory.mktemp("matrix") / "ws"
    app = build_app(load_settings(home=home), create=True)
    shown = app.matrix.run("quick", ara="brief-matrix")
    yield app, shown
    app.close()


def group(shown: dict[str, Any], condition: str, agent: str) -> dict[str, Any]:
    return next(
        g["metrics"]
        for g in shown["summary"]["groups"]
        if (g["condition"], g["agent"]) == (condition, agent)
    )


def cells(shown: dict[str, Any], condition: str, agent: str) -> list[dict[str, Any]]:
    return [c for c in shown["cells"] if (c["condition"], c["agent"]) == (condition, agent)]


def test_every_cell_ran_in_a_sandbox(matrix: tuple[App, dict[str, Any]]) -> None:
    app, shown = matrix
    assert shown["status"] == "finished" and shown["cells_done"] == shown["cells_total"] == 12
    for cell in shown["cells"]:
        assert cell["status"] == "finished", cell["detail"]
        agent, oracle = app.runs.get(cell["agent_run"]), app.runs.get(cell["oracle_run"])
        assert agent.runner == oracle.runner == "bwrap" and agent.isolation == "namespaces"
        assert agent.seed == cell["repeat"]


def test_the_brief_following_agent_complies_and_succeeds_more(
    matrix: tuple[App, dict[str, Any]],
) -> None:
    _, shown = matrix
    follower, ignorer = group(shown, "mcp-brief", "follower"), group(shown, "mcp-brief", "ignorer")
    assert follower["compliance"]["mean"] == 1.0
    assert follower["compliance"]["ci_low"] > ignorer["compliance"]["ci_high"]
    assert follower["success"]["mean"] > ignorer["success"]["mean"]
    assert follower["clean_pass"]["mean"] > ignorer["clean_pass"]["mean"]
    for metrics in (follower, ignorer):  # every aggregate carries a CI and its method
        assert metrics["success"]["method"] == "wilson" and metrics["churn"]["method"] == "t"
        assert (
            metrics["success"]["ci_low"]
            <= metrics["success"]["mean"]
            <= metrics["success"]["ci_high"]
        )
    # the brief, not the agent, makes the clean pass: the same follower without it churns
    baseline = group(shown, "baseline", "follower")
    assert baseline["clean_pass"]["mean"] == 0.0 and baseline["churn"]["mean"] >= 1.0


def test_events_come_from_the_mcp_server_and_the_test_wrapper(
    matrix: tuple[App, dict[str, Any]],
) -> None:
    app, shown = matrix
    cell = cells(shown, "mcp-brief", "follower")[0]
    run = app.agent_runs.get(cell["protocol_run"])
    assert run.tag == f"matrix:{shown['id']}:{cell['cell']}" and run.status == "completed"
    names = [e.event for e in app.agent_runs.events(run.id)]
    assert names[:2] == ["brief_loaded", "dependencies_resolved"]
    assert "intervention_applied" in names and names[-1] == "final_answer"
    assert cell["detail"]["tests"] == [{"passed": True, "exit_code": 0}]
    for churned in cells(shown, "mcp-brief", "ignorer"):
        tests = churned["detail"]["tests"]
        assert tests and tests[0]["passed"] is False  # the obvious edit fails first
        assert churned["metrics"]["churn"] >= 2
        assert churned["metrics"]["compliance"] < 0.5


def test_a_forbidden_edit_is_counted_and_never_judged(matrix: tuple[App, dict[str, Any]]) -> None:
    app, shown = matrix
    hacks = [c for c in shown["cells"] if c["detail"]["forbidden"]]
    assert hacks, "the ignorer patches the vendored library in some repeats"
    for cell in hacks:
        assert cell["detail"]["forbidden"] == ["vendor/paylib/client.py"]
        assert cell["metrics"]["forbidden_edits"] == 1.0
        assert cell["detail"]["tests"][-1]["passed"] is True  # its own tests went green...
        assert cell["metrics"]["success"] == 0.0  # ...but the oracle restored vendor/
    log = app.runs.log_path(hacks[0]["oracle_run"], "stderr").read_text()
    assert "has no attribute 'charge'" in log


def test_report_with_figures(matrix: tuple[App, dict[str, Any]]) -> None:
    app, shown = matrix
    report = app.workspace.root / shown["report"]
    text = report.read_text()
    assert "## Results" in text and "| api_drift | mcp-brief | follower | 3 | 1.00" in text
    assert "![success](figures/success.png)" in text and "Policy candidates" in text
    for metric in ("success", "compliance", "clean_pass", "churn", "forbidden_edits"):
        assert (report.parent / "figures" / f"{metric}.png").read_bytes()[:4] == b"\x89PNG"
    candidates = shown["summary"]["policy"]["candidates"]
    assert any(
        (c["agent"], c["intervention"], c["metric"]) == ("follower", "mcp-brief", "clean_pass")
        for c in candidates
    )


def test_results_are_claims_with_evidence_in_an_ara(matrix: tuple[App, dict[str, Any]]) -> None:
    app, shown = matrix
    assert shown["ara_slug"] == "brief-matrix"
    claims = {c.id: c for c in app.aras.claims("brief-matrix")}
    compliance = [
        c
        for c in claims.values()
        if c.kind == "comparison"
        and c.conditions.get("metric") == "compliance"
        and "api_drift/mcp-brief/follower" in c.statement
        and "api_drift/mcp-brief/ignorer" in c.statement
    ]
    assert len(compliance) == 1 and compliance[0].status == "supported"
    # a share's interval stays a share, a count's never goes below zero
    for claim in (c for c in claims.values() if c.kind == "effect"):
        metric = claim.conditions["metric"]
        for n in claim.numbers:
            if n.ci_low is None:
                continue
            assert n.ci_low >= 0.0, (claim.id, n)
            if metric in ("success", "clean_pass", "compliance"):
                assert n.ci_high is not None and n.ci_high <= 1.0, (claim.id, n)
        if metric in ("success", "clean_pass"):
            assert claim.conditions["ci_method"] == "wilson"
    paths = {e.path for e in compliance[0].evidence}
    assert f"evidence/raw/{shown['id']}/metrics.jsonl" in paths
    metrics_file = app.aras.paths("brief-matrix").root / f"evidence/raw/{shown['id']}/metrics.jsonl"
    lines = [json.loads(line) for line in metrics_file.read_text().splitlines()]
    assert len(lines) == 12 * 5 and {line["seed"] for line in lines} == {0, 1, 2}


def test_compare_pairs_cells_and_finds_a_regression(
    matrix: tuple[App, dict[str, Any]], tmp_path: Path
) -> None:
    app, shown = matrix
    same = app.matrix.compare(shown["id"], shown["id"])
    assert same["regressions"] == [] and same["matched_groups"] == 4
    # the "mcp-brief" condition loses its brief: the follower's compliance must regress
    worse = tmp_path / "worse.yaml"
    worse.write_text(
        "format_version: 1\nname: worse\nfixtures: [api_drift]\n"
        "conditions: [{name: mcp-brief, brief: none}]\n"
        "agents: [{name: follower, scripted: brief_follower}]\nrepeats: 3\n"
    )
    after = app.matrix.run(str(worse))
    result = app.matrix.compare(shown["id"], after["id"])
    assert result["matched_groups"] == 1 and len(result["only_in_a"]) == 3
    regressed = {r["metric"] for r in result["regressions"]}
    assert {"compliance", "clean_pass"} <= regressed
    assert all(r["test"] == "paired_t" for r in result["differences"])


def test_cli_show_ls_and_compare(matrix: tuple[App, dict[str, Any]], cli, monkeypatch) -> None:
    app, shown = matrix
    monkeypatch.setenv("RESEARCHOS_HOME", str(app.workspace.root))
    listed = json.loads(cli("matrix", "ls", "--json").out)
    assert shown["id"] in [m["id"] for m in listed]
    again = json.loads(cli("matrix", "show", shown["id"][:18], "--json").out)
    assert again["id"] == shown["id"] and len(again["cells"]) == 12
    table = cli("matrix", "show", shown["id"])
    assert table.code == 0 and "mcp-brief" in table.out
    compared = cli("matrix", "compare", shown["id"], shown["id"], "--fail-on-regression")
    assert compared.code == 0 and "0 regression(s)" in compared.out
    missing = cli("matrix", "show", "mx-none")
    assert missing.code == 1 and "no matrix" in missing.err
