"""Contradiction detection: the deterministic rule, the mock model check, the contested entry."""

from __future__ import annotations

import pytest
from landscape_data import CONDITIONS, add_claim, changed, head, make_ara, subjects

from researchos.errors import Conflict
from researchos.files import load_yaml
from researchos.landscape.contradiction import (
    ContradictionVerdict,
    Tolerance,
    candidates,
    number_conflicts,
    shared_conditions,
)
from researchos.landscape.models import Draft, EntryNumber
from researchos.providers.mock import responders
from researchos.store import provider_calls

TOL = Tolerance(rel=0.05, abs=1e-9)
AGENT = "agent:builder"


def num(value, ci=None, direction=None, unit=None):
    low, high = ci if ci else (None, None)
    return EntryNumber(
        name="accuracy:diff[a-b]",
        value=value,
        ci_low=low,
        ci_high=high,
        direction=direction,
        unit=unit,
    )


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (
            num(0.1, (0.05, 0.15), "positive"),
            num(-0.1, (-0.15, -0.05), "negative"),
            ["direction", "ci_disjoint"],
        ),
        (
            num(0.1, (0.05, 0.15), "positive"),
            num(0.01, (-0.02, 0.04), "null"),
            ["direction", "ci_disjoint"],
        ),
        (num(0.30, (0.28, 0.32)), num(0.20, (0.18, 0.22)), ["ci_disjoint"]),
        (num(0.30, (0.20, 0.40)), num(0.25, (0.15, 0.35)), []),
        (num(0.90), num(0.80), ["value_differs"]),
        (num(0.90), num(0.88), []),  # within 5 % of the larger value
        (num(0.90, unit="%"), num(0.50, unit="fraction"), []),  # not comparable
        (num(0.1, (0.05, 0.15), "positive"), num(0.12, None, "positive"), []),
        (num(0.1, (0.05, 0.15), "positive"), num(0.3, None, "positive"), ["value_differs"]),
    ],
)
def test_number_rules(a, b, expected):
    reasons = number_conflicts(a, b, TOL)
    assert [r.split(":")[0] for r in reasons] == expected
    assert [r.split(":")[0] for r in number_conflicts(b, a, TOL)] == expected


def test_shared_conditions_must_exist_and_agree():
    assert shared_conditions(CONDITIONS, {**CONDITIONS, "alpha": 0.01}) == (
        "baseline",
        "dataset",
        "treatment",
    )
    assert shared_conditions(CONDITIONS, {**CONDITIONS, "dataset": "iris"}) is None
    assert shared_conditions({"metric": "accuracy"}, {"metric": "accuracy"}) is None
    assert shared_conditions({"dataset": "Wine "}, {"dataset": "wine", "seed": 3}) == ("dataset",)


def _draft(metric="accuracy", conditions=None, headline=None):
    return Draft(
        statement="s",
        conditions=conditions or dict(CONDITIONS),
        metric=metric,
        headline=headline,
        fingerprint="0" * 64,
    )


def test_candidates_need_the_same_metric(app):
    make_ara(app)
    add_claim(app, "knn", "Scaling helps", value=0.12, ci=(0.08, 0.16))
    app.landscape.propose(ara="knn", claim="C0001")
    app.landscape.merge("P0001")
    known = app.landscape.entries()
    opposite = num(-0.1, (-0.15, -0.05), "negative")
    assert [c.entry.id for c in candidates(_draft(headline=opposite), known, TOL)] == ["E0001"]
    assert candidates(_draft(metric="f1", headline=opposite), known, TOL) == []
    assert candidates(_draft(headline=None), known, TOL) == []
    other = {**CONDITIONS, "treatment": "pca"}
    assert candidates(_draft(conditions=other, headline=opposite), known, TOL) == []


@pytest.fixture
def known(app):
    make_ara(app)
    add_claim(app, "knn", "Scaling improves kNN accuracy on wine", value=0.12, ci=(0.08, 0.16))
    app.landscape.propose(ara="knn", claim="C0001", actor=AGENT)
    app.landscape.merge("P0001")
    make_ara(app, "replication")
    return app


def test_a_confirmed_contradiction_becomes_a_contested_hypothesis(known):
    add_claim(
        known, "replication", "Scaling hurts kNN accuracy on wine", value=-0.05, ci=(-0.09, -0.01)
    )
    proposal = known.landscape.propose(ara="replication", claim="C0001", actor=AGENT)

    assert proposal.contested and proposal.kind == "hypothesis"
    assert proposal.requested_kind == "known_result"
    [check] = proposal.contradictions
    assert check.entry == "E0001" and check.confirmed and check.confidence == 0.9
    assert check.shared_conditions == ["baseline", "dataset", "treatment"]
    assert [r.split(":")[0] for r in check.reasons] == ["direction", "ci_disjoint"]
    assert check.routing["phase"] == "contradiction_check" and check.routing["mock"] is True
    review = proposal.review
    assert [c.phase for c in review.calls] == ["seal_l2_first", "seal_l2_second"]
    assert review.status == "done" and all(c.verdict for c in review.calls)
    verdicts = {c.verdict.verdict for c in review.calls}
    assert review.disagree is (len(verdicts) > 1)
    with known.database.session() as session:
        phases = [row["phase"] for row in provider_calls.recent_calls(session, limit=10)]
    assert {"contradiction_check", "seal_l2_first", "seal_l2_second"} <= set(phases)

    entry = known.landscape.merge(proposal.id, actor="user:carol")

    assert entry.kind == "hypothesis" and entry.status == "contested"
    assert entry.contradicts == ["E0001"] and entry.review.calls[1].phase == "seal_l2_second"
    assert changed(known) >= {
        "research-landscape/hypotheses/E0002.yaml",
        "research-landscape/known-results/E0001.yaml",
    }
    assert subjects(known, 1)[0].startswith("landscape.merge(E0002): merge P0002 as contested")
    assert known.landscape.entry("E0001").contested_by == ["E0002"]
    index = (known.workspace.landscape_dir / "index.md").read_text()
    assert "| E0002 | contested |" in index


def test_the_model_can_dismiss_a_rule_candidate(known):
    add_claim(
        known, "replication", "Scaling barely helps kNN on wine", value=0.01, ci=(-0.02, 0.04)
    )

    def never(request, rng):
        return ContradictionVerdict(contradicts=False, confidence=0.6, explanation="MOCK: scale")

    original = responders.find_responder("contradiction_check")
    responders.unregister("contradiction_check")
    responders.mock_responder("contradiction_check")(never)
    try:
        proposal = known.landscape.propose(ara="replication", claim="C0001", actor=AGENT)
    finally:
        responders.unregister("contradiction_check")
        responders.mock_responder("contradiction_check")(original)
    assert not proposal.contested and proposal.kind == "known_result" and proposal.review is None
    [check] = proposal.contradictions
    assert not check.confirmed and check.explanation == "MOCK: scale"
    saved = load_yaml(known.workspace.root / "proposals/P0002.yaml")
    assert saved["contradictions"][0]["confirmed"] is False


def test_consistent_claims_are_not_flagged(known):
    add_claim(
        known, "replication", "Scaling improves kNN on wine again", value=0.10, ci=(0.07, 0.13)
    )
    add_claim(
        known,
        "replication",
        "Scaling hurts kNN on iris",
        value=-0.1,
        ci=(-0.2, -0.05),
        conditions={**CONDITIONS, "dataset": "iris"},
    )
    for claim in ("C0001", "C0002"):
        proposal = known.landscape.propose(ara="replication", claim=claim, actor=AGENT)
        assert proposal.contradictions == [] and not proposal.contested


def test_a_known_result_merged_after_the_proposal_blocks_the_merge(app):
    make_ara(app)
    add_claim(app, "knn", "Scaling improves kNN accuracy on wine", value=0.12, ci=(0.08, 0.16))
    add_claim(app, "knn", "Scaling hurts kNN accuracy on wine", value=-0.05, ci=(-0.09, -0.01))
    app.landscape.propose(ara="knn", claim="C0001", actor=AGENT)
    app.landscape.propose(ara="knn", claim="C0002", actor=AGENT)  # checked against nothing
    app.landscape.merge("P0001")
    before = head(app)
    with pytest.raises(Conflict, match="E0001 may contradict P0002 and were not checked"):
        app.landscape.merge("P0002")
    assert head(app) == before
    # proposing again runs the check and makes it contested
    app.landscape.reject("P0002", reason="stale checks")
    assert app.landscape.propose(ara="knn", claim="C0002", actor=AGENT).contested


def test_a_failed_reviewer_leaves_the_review_queued(known):
    add_claim(
        known, "replication", "Scaling hurts kNN accuracy on wine", value=-0.05, ci=(-0.09, -0.01)
    )

    def broken(request, rng):
        return {"not": "a verdict"}

    original = responders.find_responder("seal_l2_second")
    responders.unregister("seal_l2_second")
    responders.mock_responder("seal_l2_second")(broken)
    try:
        proposal = known.landscape.propose(ara="replication", claim="C0001", actor=AGENT)
    finally:
        responders.unregister("seal_l2_second")
        if original is not None:
            responders.mock_responder("seal_l2_second")(original)
    review = proposal.review
    assert proposal.contested and review.status == "queued" and review.disagree is None
    first, second = review.calls
    assert first.verdict is not None and second.verdict is None
    assert "seal_l2_second" in second.error
