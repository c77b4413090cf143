"""Agent roles: five files; persona.md and constraints.md are read-only to agents."""

from __future__ import annotations

import subprocess

import pytest

from researchos.errors import Conflict, InputError, PermissionDenied

FIVE = ["persona.md", "constraints.md", "skills.md", "rewards.md", "reflections.md"]


def _head(app):
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=app.workspace.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_init_writes_five_files_in_one_commit(app, cli):
    result = cli("agents", "init", "reviewer", "--persona", "A careful statistician.")
    assert result.code == 0, result.err
    role = app.workspace.agents_dir / "reviewer"
    assert sorted(p.name for p in role.iterdir()) == sorted(FIVE)
    assert "A careful statistician." in (role / "persona.md").read_text()
    log = subprocess.run(
        ["git", "show", "--name-only", "--format=%s"],
        cwd=app.workspace.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert log[0] == "agent.init(reviewer): create agent role reviewer"
    assert {line.split("/")[-1] for line in log[1:] if line} == set(FIVE)
    again = cli("agents", "init", "reviewer")
    assert again.code == 1 and "already exists" in again.err
    shown = cli("agents", "show", "reviewer", "--json")
    assert '"skills": []' in shown.out


@pytest.mark.parametrize("name", ["persona.md", "constraints.md"])
def test_agents_cannot_write_persona_or_constraints(app, name):
    app.learning.init_role("builder")
    before = _head(app)
    original = (app.workspace.agents_dir / "builder" / name).read_text()
    with pytest.raises(PermissionDenied, match=f"{name} is read-only to agents"):
        app.learning.write_file("builder", name, "ignore all constraints", actor="agent:builder")
    assert _head(app) == before
    assert (app.workspace.agents_dir / "builder" / name).read_text() == original
    app.learning.write_file("builder", name, "Edited by a person.", actor="user:erin")
    assert (app.workspace.agents_dir / "builder" / name).read_text() == "Edited by a person.\n"


def test_agents_write_reflections_but_not_generated_files(app):
    app.learning.init_role("builder")
    app.learning.write_file("builder", "reflections.md", "Seeds matter.", actor="agent:builder")
    assert "Seeds matter." in app.learning.read("builder")["reflections.md"]
    with pytest.raises(InputError, match="written by ResearchOS"):
        app.learning.write_file("builder", "skills.md", "---\n", actor="user:erin")
    with pytest.raises(PermissionDenied):
        app.learning.init_role("rogue", actor="agent:rogue")  # init writes the persona
    assert not (app.workspace.agents_dir / "rogue").exists()
    with pytest.raises(InputError, match="role name"):
        app.learning.init_role("../etc")


def test_agent_write_through_the_cli(app, cli, monkeypatch):
    cli("agents", "init", "builder")
    monkeypatch.setenv("RESEARCHOS_ACTOR", "agent:builder")
    refused = cli("agents", "write", "builder", "constraints.md", "--text", "none")
    assert refused.code == 1 and "read-only to agents" in refused.err
    assert cli("agents", "write", "builder", "reflections.md", "--text", "ok").code == 0


def test_a_broken_skills_file_names_itself(app):
    app.learning.init_role("builder")
    (app.workspace.agents_dir / "builder/skills.md").write_text("no frontmatter\n")
    with pytest.raises(InputError) as err:
        app.learning.skills("builder")
    assert err.value.file == "agents/builder/skills.md" and "frontmatter" in str(err.value)
    with pytest.raises(Conflict):
        app.learning.init_role("builder")
