"""Skills per role: budget 20, adoption after 2 positive outcomes, pruning the lowest reward."""

from __future__ import annotations

import subprocess

import pytest

from researchos.errors import InputError, NotFound
from researchos.history.commits import read_log


def _subjects(app, count):
    out = subprocess.run(
        ["git", "log", f"-n{count}", "--format=%s"],
        cwd=app.workspace.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.splitlines()


@pytest.fixture
def builder(app):
    app.learning.init_role("builder")
    return app


def test_adoption_needs_two_positive_outcomes_with_evidence(builder):
    learning = builder.learning
    skill, pruned = learning.add_skill(
        "builder", "Standardise features before kNN", actor="agent:builder"
    )
    assert skill.id == "S0001" and pruned is None and not skill.adopted
    assert _subjects(builder, 1) == [
        "skill.add(builder): add skill S0001 to builder: Standardise features before kNN"
    ]
    with pytest.raises(InputError, match="needs evidence"):
        learning.record_outcome("builder", "S0001", sign="+", evidence=[" "])
    one = learning.record_outcome(
        "builder", "S0001", sign="+", evidence=["ara/knn/claims/C0001"], actor="agent:builder"
    )
    assert one.reward == 1 and not one.adopted
    two = learning.record_outcome("builder", "S0001", sign="+", evidence=["run:r2"])
    assert two.reward == 2 and two.adopted
    assert _subjects(builder, 1) == ["skill.outcome(builder): S0001 +: reward +2"]
    dropped = learning.record_outcome("builder", "S0001", sign="-", evidence=["run:r3"])
    assert dropped.reward == 1 and dropped.adopted  # still two positives and a positive reward
    dropped = learning.record_outcome("builder", "S0001", sign="-", evidence=["run:r4"])
    assert dropped.reward == 0 and not dropped.adopted
    book = learning.skills("builder")
    assert [o.sign for o in book.skills[0].outcomes] == ["+", "+", "-", "-"]
    text = (builder.workspace.agents_dir / "builder/skills.md").read_text()
    assert text.startswith("---\nformat_version: 1\n") and "**S0001** [trial" in text
    ledger = (builder.workspace.agents_dir / "builder/rewards.md").read_text()
    assert "S0001 + by agent:builder (evidence: ara/knn/claims/C0001) reward +1" in ledger
    assert "reward +2 — adopted" in ledger
    assert len(read_log(builder.workspace.git, event="skill.outcome")) == 4
    with pytest.raises(NotFound):
        learning.record_outcome("builder", "S0404", sign="+", evidence=["x"])


def test_a_full_role_prunes_its_lowest_reward_skill(builder):
    learning = builder.learning
    for i in range(20):
        learning.add_skill("builder", f"skill number {i}")
    # S0001, S0002 adopted; S0003 punished; the rest untested (reward 0)
    for skill in ("S0001", "S0002"):
        for run in ("a", "b"):
            learning.record_outcome("builder", skill, sign="+", evidence=[f"run:{run}"])
    learning.record_outcome("builder", "S0003", sign="-", evidence=["run:c"])
    learning.record_outcome("builder", "S0004", sign="+", evidence=["run:d"])

    skill, pruned = learning.add_skill("builder", "one more")

    assert pruned.id == "S0003" and skill.id == "S0021"
    book = learning.skills("builder")
    assert len(book.skills) == 20 and "S0003" not in [s.id for s in book.skills]
    assert _subjects(builder, 1)[0].startswith("skill.add(builder): add skill S0021")
    assert read_log(builder.workspace.git, limit=1)[0].trailers["Pruned"] == "S0003"
    ledger = (builder.workspace.agents_dir / "builder/rewards.md").read_text()
    assert "S0003 pruned (budget 20, reward -1, 1 outcome(s))" in ledger

    # next: the oldest untested skill goes; adopted skills outlast untested ones
    _, pruned = learning.add_skill("builder", "and another")
    assert pruned.id == "S0005"
    assert learning.add_skill("builder", "third")[0].id == "S0023"  # ids are never reused


def test_the_policy_file_sets_budget_and_threshold(builder):
    policy = builder.workspace.system_dir / "learning-policy.yaml"
    text = policy.read_text().replace("skill_budget: 20", "skill_budget: 2")
    policy.write_text(text.replace("evidence_threshold: 2", "evidence_threshold: 1"))
    learning = builder.learning
    learning.add_skill("builder", "a")
    assert learning.record_outcome("builder", "S0001", sign="+", evidence=["run:1"]).adopted
    learning.add_skill("builder", "b")
    assert learning.add_skill("builder", "c")[1].id == "S0002"

    policy.write_text(text + "prune_failure_traces: true\n")
    with pytest.raises(InputError) as err:
        learning.add_skill("builder", "d")
    assert err.value.file == "system/learning-policy.yaml"
    assert err.value.field == "prune_failure_traces"
    policy.write_text(text.replace("skill_budget: 2", "skill_budget: zero"))
    with pytest.raises(InputError, match="skill_budget"):
        learning.add_skill("builder", "d")


def test_skills_cli(builder, cli):
    added = cli("agents", "skill", "add", "builder", "Seed every run", "--json")
    assert added.code == 0, added.err
    for run in ("run:1", "run:2"):
        cli("agents", "skill", "outcome", "builder", "S0001", "--evidence", run)
    neg = cli("agents", "skill", "outcome", "builder", "S0001", "--negative", "--evidence", "run:3")
    assert "reward +1, adopted" in neg.out
    assert cli("agents", "skill", "outcome", "builder", "S0001").code != 0  # evidence required
    listed = cli("agents", "skill", "list", "builder", "--json")
    assert listed.code == 0 and '"adopted": true' in listed.out
    assert '"skills": 1' in cli("agents", "list", "--json").out
