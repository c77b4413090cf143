"""Seal L2 with the mock reviewers: promotion rules, disagreements, retractions, figures."""

from __future__ import annotations

import json

import yaml
from seal_data import claim, findings, make_ara, quote_ref, set_policy, sha

from researchos.seal import review_pair
from researchos.store import seal as seal_store


def _claim_status(app, claim_id, slug="demo"):
    return app.aras.claim(slug, claim_id).status


def test_both_reviewers_above_the_floor_with_tool_evidence_promote_to_verified(app):
    make_ara(app)
    report = app.seal.seal("demo", levels=[2])
    assert report.passed and report.promoted == ["C0001"]
    verdicts = report.verdicts["C0001"]
    assert verdicts.first.verdict == verdicts.second.verdict == "supported"
    assert min(verdicts.first.confidence, verdicts.second.confidence) >= 0.85
    promoted = app.aras.claim("demo", "C0001")
    assert promoted.status == "verified" and promoted.confidence == verdicts.second.confidence
    body = app.workspace.git.run("log", "--format=%B", "--grep=claim.promote").stdout
    assert "claim.promote(demo): C0001: status hypothesis -> verified" in body
    assert "Researchos-Seal-L2-First: supported 0.92" in body
    assert "Researchos-Seal-L2-Second: supported 0.90" in body
    packet = (app.workspace.ara_path("demo") / "views/review-packet.md").read_text()
    assert "promoted to verified" in packet and "MOCK" in packet


def test_quotes_alone_never_verify_even_above_the_floor(app):
    set_policy(app, confidence_floor=0.75)
    make_ara(app, claims=[claim(), claim("C0002", evidence=[quote_ref()])])
    report = app.seal.seal("demo", levels=[2])
    quoted = report.verdicts["C0002"]
    assert quoted.first.verdict == quoted.second.verdict == "supported"
    assert min(quoted.first.confidence, quoted.second.confidence) >= 0.75
    assert report.promoted == ["C0001"]
    assert _claim_status(app, "C0002") == "hypothesis"
    decision = next(d for d in report.decisions if d.claim_id == "C0002")
    assert decision.reasons == (
        "no tool evidence (a run's output): quotes alone cannot verify a claim",
    )


def test_a_confidence_below_the_floor_blocks_promotion(app):
    set_policy(app, confidence_floor=0.95)
    make_ara(app)
    report = app.seal.seal("demo", levels=[2])
    assert report.passed and report.promoted == []
    assert _claim_status(app, "C0001") == "hypothesis"
    decision = report.decisions[0]
    assert "confidence 0.92 is below 0.95" in decision.reasons[0]


def test_reviewers_disagree_on_a_two_seed_effect_and_it_is_recorded(app):
    two_seeds = claim(
        "C0002",
        numbers=[{**claim()["numbers"][0], "n": 2}],
    )
    make_ara(app, claims=[claim(), two_seeds])
    report = app.seal.seal("demo", levels=[2])
    item = report.verdicts["C0002"]
    assert (item.first.verdict, item.second.verdict) == ("supported", "unsupported")
    assert [v.claim_id for v in report.disagreements] == ["C0002"]
    warnings = [f for f in findings(report, 2) if f.severity == "warning"]
    assert [(w.file, w.check) for w in warnings] == [
        ("ara/demo/claims/C0002.yaml", "l2.dual_review")
    ]
    assert report.passed and report.promoted == ["C0001"]
    with app.database.session() as session:
        rows = seal_store.disagreements(session, ara="demo")
        attempt = seal_store.attempts(session, ara="demo", level=2)[0]
    assert [(r["claim_id"], r["first_verdict"], r["second_verdict"]) for r in rows] == [
        ("C0002", "supported", "unsupported")
    ]
    assert (attempt["reviewed"], attempt["disagreements"], attempt["promoted"]) == (2, 1, 1)
    packet = (app.workspace.ara_path("demo") / "views/review-packet.md").read_text()
    assert "C0002: first: supported (0.92) vs second: unsupported (0.55)" in packet


def test_a_number_its_source_contradicts_fails_l2(app):
    wrong = claim(numbers=[{**claim()["numbers"][0], "value": 0.934}])  # the file says 0.913
    make_ara(app, claims=[wrong])
    report = app.seal.seal("demo", levels=[2])
    errors = [f for f in findings(report, 2) if f.severity == "error"]
    assert {(e.file, e.field) for e in errors} == {("ara/demo/claims/C0001.yaml", "numbers")}
    assert "claims 0.934, source has 0.913" in errors[0].message
    assert not report.passed and report.promoted == []


def test_numbers_found_nowhere_in_the_evidence_are_unsupported(app):
    unseen = claim(numbers=[{"value": 0.777, "metric": "accuracy:mean", "n": 5}])
    make_ara(app, claims=[unseen])
    report = app.seal.seal("demo", levels=[2])
    item = report.verdicts["C0001"]
    assert item.first.verdict == item.second.verdict == "unsupported"
    assert not report.passed


def test_a_claim_matching_a_retracted_result_is_flagged_and_never_promoted(app):
    make_ara(app)
    retracted = app.workspace.root / "research-landscape/retracted/E0007.yaml"
    retracted.write_text(
        yaml.safe_dump(
            {
                "statement": "The classifier reaches accuracy 0.913 on the held out split",
                "conditions": {"dataset": "wine", "metric": "accuracy"},
                "retraction": {"reason": "refuted", "by": "user:ana"},
            }
        )
    )
    report = app.seal.seal("demo", levels=[2])
    errors = [f for f in findings(report, 2) if f.check == "l2.retraction"]
    assert [(e.file, e.field) for e in errors] == [("ara/demo/claims/C0001.yaml", "statement")]
    assert "research-landscape/retracted/E0007.yaml (retracted: refuted)" in errors[0].message
    assert report.promoted == [] and _claim_status(app, "C0001") == "hypothesis"


def test_other_conditions_are_not_the_retracted_result(app):
    make_ara(app)
    retracted = app.workspace.root / "research-landscape/retracted/E0008.yaml"
    retracted.write_text(
        yaml.safe_dump(
            {
                "statement": "The classifier reaches accuracy 0.913 on the held-out split.",
                "conditions": {"dataset": "iris"},
            }
        )
    )
    report = app.seal.seal("demo", levels=[2])
    assert report.passed and report.promoted == ["C0001"]


def test_the_figure_chain_needs_data_and_script_next_to_the_figure(app):
    root = make_ara(app, claims=[])
    png = b"\x89PNG fake but non-empty"
    app.aras.write_files(
        "demo", {"evidence/figures/acc.png": png}, event="evidence.add", summary="fig"
    )
    figure = {"path": "evidence/figures/acc.png", "sha256": sha(png), "kind": "figure"}
    app.aras.add_claim("demo", claim(evidence=[*claim()["evidence"], figure]))
    report = app.seal.seal("demo", levels=[2])
    errors = [f for f in findings(report, 2) if f.check == "l2.figure_chain"]
    assert [(e.file, e.field) for e in errors] == [
        ("ara/demo/claims/C0001.yaml", "evidence.1.path")
    ]
    assert "no data file next to it" in errors[0].message
    (root / "evidence/figures/acc.json").write_text(json.dumps({"accuracy": [0.913]}))
    report = app.seal.seal("demo", levels=[2])
    errors = [f for f in findings(report, 2) if f.check == "l2.figure_chain"]
    assert "no script next to it (acc.py)" in errors[0].message
    (root / "evidence/figures/acc.py").write_text("print('draw')\n")
    report = app.seal.seal("demo", levels=[2])
    assert report.passed and report.promoted == ["C0001"]


def test_review_pair_runs_both_reviewers_and_records_their_disagreement(app):
    new = {"id": "C0001", "statement": "kNN accuracy 0.91", "conditions": {"dataset": "wine"}}
    known = {"id": "E0003", "statement": "kNN accuracy 0.80", "conditions": {"dataset": "wine"}}
    review = review_pair(app, new, known, reasons=["value_differs: 0.91 vs 0.80"], ara="demo")
    assert (review.first.verdict, review.second.verdict) == ("contradiction", "unsure")
    assert review.disagree and not review.contradiction
    strong = review_pair(app, new, known, reasons=["direction: positive vs negative"])
    assert strong.contradiction and not strong.disagree
    with app.database.session() as session:
        rows = seal_store.disagreements(session)
    assert [r["claim_id"] for r in rows] == ["C0001 vs E0003"]
    assert review.routing["first"]["tier"] == "balanced"
    assert review.routing["second"]["tier"] == "strong"


def test_other_callers_of_the_reviewer_phases_get_a_valid_mock_answer(app):
    from researchos.providers.types import ModelRequest
    from researchos.providers.validation import SmokeAnswer

    for phase in ("seal_l2_first", "seal_l2_second"):
        response = app.router.call(phase, ModelRequest.of("ping", schema=SmokeAnswer))
        assert isinstance(response.data, SmokeAnswer)


def test_by_default_the_mock_reviewers_never_promote_to_verified(app, monkeypatch):
    monkeypatch.undo()  # back to the shipped policy: promote_with_mock_reviewers is off
    make_ara(app)
    report = app.seal.seal("demo", levels=[2])
    assert report.passed and report.promoted == []
    assert "MOCK" in (report.held or "")
    assert _claim_status(app, "C0001") == "hypothesis"
