"""Experiment files: hostile ones are refused before anything runs, with file and field named;
headless agent binaries run only when the file allows them in their headless form."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from researchos.analysis.stats import proportion_ci_wilson
from researchos.app import App
from researchos.errors import InputError, NotFound, UnsafeInput
from researchos.matrix.metrics import cell_metrics
from researchos.matrix.workdir import matches

GOOD = """format_version: 1
name: ok
fixtures: [api_drift]
conditions: [{name: baseline, brief: none}]
agents: [{name: follower, scripted: brief_follower}]
repeats: 1
"""


def write(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("repeats: 1", "repeats: 100000"), "repeats", "less than or equal"),
        (("name: ok", "name: ../../etc"), "name", "pattern"),
        (("name: ok", "name: ok\nshell: true"), "shell", "unknown field"),
        (
            (
                "agents: [{name: follower, scripted: brief_follower}]",
                "agents: [{name: a, command: [sh, -c, '{env}']}]",
            ),
            "agents.0",
            "unknown placeholder",
        ),
        (
            (
                "agents: [{name: follower, scripted: brief_follower}]",
                "agents: [{name: a, scripted: brief_follower, command: [x]}]",
            ),
            "agents.0",
            "exactly one",
        ),
        (
            (
                "agents: [{name: follower, scripted: brief_follower}]",
                "agents: [{name: a, scripted: rm_rf}]",
            ),
            "agents.0.scripted",
            "brief_follower",
        ),
        (("repeats: 1", "repeats: 1\nforbidden: [/etc/**]"), None, "must be relative"),
        (
            ("conditions: [{name: baseline, brief: none}]", "conditions: [{name: a}, {name: a}]"),
            None,
            "unique",
        ),
        (
            (
                "conditions: [{name: baseline, brief: none}]",
                "conditions: [{name: a, brief: telepathy}]",
            ),
            "conditions.0.brief",
            "none",
        ),
        (("format_version: 1", "format_version: 9"), "format_version", "unsupported"),
    ],
)
def test_hostile_experiment_files_name_file_and_field(
    app: App, tmp_path: Path, change: tuple[str, str], field: str | None, words: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(InputError) as caught:
        app.matrix.run(str(path))
    assert caught.value.file == "exp.yaml" and words in str(caught.value)
    if field is not None:
        assert caught.value.field == field
    assert app.matrix.list() == []  # refused before anything was stored or run


def test_broken_files_and_escaping_fixtures(app: App, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="malformed YAML at line 2"):
        app.matrix.run(str(write(tmp_path, "name: x\n  - : [\n")))
    with pytest.raises(InputError, match="mapping"):
        app.matrix.run(str(write(tmp_path, "- just\n- a list\n")))
    with pytest.raises(InputError, match="larger than"):
        app.matrix.run(str(write(tmp_path, "#" * 300_000)))
    with pytest.raises(UnsafeInput) as escaped:
        app.matrix.run(str(write(tmp_path, GOOD.replace("[api_drift]", "[../../etc]"))))
    assert escaped.value.field == "fixtures"
    with pytest.raises(InputError, match="not a fixture"):
        (tmp_path / "empty").mkdir()
        app.matrix.run(str(write(tmp_path, GOOD.replace("[api_drift]", "[empty]"))))
    with pytest.raises(NotFound, match="demos: demo, quick"):
        app.matrix.run("no-such-experiment")
    assert app.matrix.list() == []


@pytest.mark.parametrize(
    ("agent", "allow", "field", "words"),
    [
        ("[claude, fix it]", "[]", "agents[0].command", "interactive coding-agent binary"),
        (
            "[sh, -c, 'codex \"{prompt}\"']",
            "[codex]",
            "agents[0].command",
            "must be invoked headless",
        ),
        ("[sh, -c, 'true']", "[vim]", "allow_agent_binaries[0]", "no known headless invocation"),
    ],
)
def test_interactive_agent_binaries_need_the_allow_list_and_headless_form(
    app: App, tmp_path: Path, agent: str, allow: str, field: str, words: str
) -> None:
    text = GOOD.replace(
        "agents: [{name: follower, scripted: brief_follower}]",
        f"agents: [{{name: a, command: {agent}}}]\nallow_agent_binaries: {allow}",
    )
    with pytest.raises(InputError) as caught:
        app.matrix.run(str(write(tmp_path, text)))
    assert caught.value.field == field and words in str(caught.value)


def test_an_allowed_headless_invocation_runs_in_the_sandbox(app: App, tmp_path: Path) -> None:
    """claude -p is started (it is not installed in the sandbox, so the cell simply fails)."""
    text = GOOD.replace(
        "agents: [{name: follower, scripted: brief_follower}]",
        "agents: [{name: claude, command: [sh, -c, 'claude -p \"$0\" || echo no-claude-here', "
        "'{prompt}']}]\nallow_agent_binaries: [claude]",
    )
    shown = app.matrix.run(str(write(tmp_path, text)))
    cell = shown["cells"][0]
    assert cell["status"] == "finished" and cell["metrics"]["success"] == 0.0
    record = app.runs.get(cell["agent_run"])
    assert record.command[:2] == ["sh", "-c"] and "Task" in record.command[3]
    assert "no-claude-here" in app.runs.log_path(record.id).read_text()
    # the guard is still on for every other run: the configured sandbox refuses claude
    from researchos.errors import PermissionDenied
    from researchos.runs.models import RunSpec

    with pytest.raises(PermissionDenied):
        app.runs.prepare(RunSpec(command=["claude", "-p", "x"]))


def test_cell_metrics_and_intervals() -> None:
    log = [{"passed": False}, {"passed": False}, {"passed": True}]
    m = cell_metrics(oracle_passed=True, test_log=log, forbidden_edits=0, compliance=0.5)
    assert (m["success"], m["clean_pass"], m["churn"]) == (1.0, 0.0, 2.0)
    clean = cell_metrics(oracle_passed=True, test_log=log[2:], forbidden_edits=0, compliance=None)
    assert (clean["clean_pass"], clean["churn"], clean["compliance"]) == (1.0, 0.0, 0.0)
    never = cell_metrics(oracle_passed=False, test_log=log[:2], forbidden_edits=2, compliance=1)
    assert (never["churn"], never["forbidden_edits"], never["clean_pass"]) == (2.0, 2.0, 0.0)
    low, high = proportion_ci_wilson(np.ones(3), 0.95)  # type: ignore[misc]
    assert 0.43 < low < 0.44 and high == 1.0
    assert proportion_ci_wilson(np.array([]), 0.95) is None
    assert matches("vendor/a/b.py", ["vendor/**"]) and not matches("vendored.py", ["vendor/**"])
    assert matches("tests/test_x.py", ["tests/*.py"]) and not matches("src/x.py", ["tests/**"])


def test_fixtures_listing(cli) -> None:
    listed = json.loads(cli("matrix", "fixtures", "--json").out)
    assert listed == {"fixtures": ["api_drift", "version_trap"], "experiments": ["demo", "quick"]}


@pytest.mark.parametrize("name", ["api_drift", "version_trap"])
def test_fixture_priors_still_match_the_fixture_code(name: str) -> None:
    """The scripted agents' edits are exact text: formatting the fixtures must not break them."""
    from researchos.matrix.catalog import load_fixture

    fixture = load_fixture(name, base=None, display="test")
    prior = json.loads(fixture.prior.read_text())
    target = (fixture.repo / prior["target"]).read_text()
    assert all(edit["before"] in target for edit in prior["draft"])
    assert prior["hack"]["before"] in (fixture.repo / prior["hack"]["file"]).read_text()
    assert fixture.spec.target == prior["target"]
    assert sorted(p.name for p in fixture.oracle_dir.glob("test_*.py"))


def test_an_unisolated_runner_is_refused_before_any_cell(app: App, tmp_path: Path) -> None:
    from researchos.errors import PermissionDenied

    text = GOOD.replace("scripted: brief_follower}", "scripted: brief_follower, runner: process}")
    with pytest.raises(PermissionDenied, match="RESEARCHOS_ALLOW_UNISOLATED"):
        app.matrix.run(str(write(tmp_path, text)))
    assert app.matrix.list() == []
