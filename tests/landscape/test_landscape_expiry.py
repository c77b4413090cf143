"""Hypotheses with no new evidence for 90 days move to retracted/ (evidence_timeout)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from landscape_data import CONDITIONS, add_claim, changed, head, make_ara, subjects

from researchos.artifacts.models import utcnow
from researchos.errors import Conflict


@pytest.fixture
def mixed(app):
    make_ara(app)
    add_claim(app, "knn", "Scaling improves kNN accuracy on wine", value=0.12, ci=(0.08, 0.16))
    add_claim(
        app,
        "knn",
        "Scaling may help on iris",
        value=0.02,
        status="testing",
        conditions={**CONDITIONS, "dataset": "iris"},
    )
    add_claim(
        app,
        "knn",
        "Scaling may help on digits",
        value=0.04,
        status="testing",
        conditions={**CONDITIONS, "dataset": "digits"},
    )
    for claim in ("C0001", "C0002", "C0003"):
        proposal = app.landscape.propose(ara="knn", claim=claim, actor="agent:builder")
        app.landscape.merge(proposal.id)
    return app


def test_expiry_after_90_days_is_one_commit(mixed):
    merged = mixed.landscape.entry("E0002").last_evidence_at
    before = head(mixed)
    assert mixed.landscape.expire(now=merged + timedelta(days=89)) == []
    assert head(mixed) == before  # nothing due: no commit

    expired = mixed.landscape.expire(now=merged + timedelta(days=91), actor="agent:janitor")

    assert [e.id for e in expired] == ["E0002", "E0003"]
    assert (
        subjects(mixed, 2)[0]
        == "landscape.expire(landscape): expire 2 hypothesis(es): E0002, E0003"
    )
    assert subjects(mixed, 2)[1].startswith("landscape.merge(E0003)")
    assert changed(mixed) == {
        "research-landscape/hypotheses/E0002.yaml",
        "research-landscape/hypotheses/E0003.yaml",
        "research-landscape/retracted/E0002.yaml",
        "research-landscape/retracted/E0003.yaml",
        "research-landscape/index.md",
    }
    retraction = mixed.landscape.entry("E0002").retraction
    assert retraction.reason == "evidence_timeout" and retraction.by == "agent:janitor"
    assert "90 days" in retraction.note
    assert mixed.landscape.entry("E0001").status == "established"  # known results never expire
    with pytest.raises(Conflict, match="evidence_timeout"):
        mixed.landscape.propose(ara="knn", claim="C0002", kind="hypothesis")


def test_expire_from_the_cli_with_now(mixed, cli):
    soon = (utcnow() + timedelta(days=30)).isoformat()
    later = (utcnow() + timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%S")
    assert json.loads(cli("landscape", "expire", "--now", soon, "--json").out) == []
    result = cli("landscape", "expire", "--now", later, "--json")
    assert result.code == 0, result.err
    assert [e["id"] for e in json.loads(result.out)] == ["E0002", "E0003"]
    bad = cli("landscape", "expire", "--now", "next tuesday")
    assert bad.code == 1 and "--now" in bad.err and "ISO" in bad.err


def test_policy_sets_the_timeout(mixed):
    policy = mixed.workspace.system_dir / "learning-policy.yaml"
    policy.write_text(policy.read_text() + "hypothesis_timeout_days: 10\n")
    merged = mixed.landscape.entry("E0002").last_evidence_at
    assert [e.id for e in mixed.landscape.expire(now=merged + timedelta(days=11))] == [
        "E0002",
        "E0003",
    ]
