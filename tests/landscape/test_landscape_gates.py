"""Agents propose, people decide: every change one semantic commit; refusals write nothing."""

from __future__ import annotations

import pytest
from landscape_data import add_claim, changed, clean, head, make_ara, subjects

from researchos.errors import Conflict, InputError, PermissionDenied
from researchos.files import load_yaml
from researchos.history.commits import read_log

AGENT = "agent:builder"


@pytest.fixture
def knn(app):
    make_ara(app)
    add_claim(app, "knn", "Scaling improves kNN accuracy on wine", value=0.12, ci=(0.08, 0.16))
    return app


def test_propose_then_a_person_merges(knn):
    root = knn.workspace.root
    proposal = knn.landscape.propose(
        ara="knn", claim="C0001", rationale="replicated twice", actor=AGENT
    )
    assert proposal.id == "P0001" and proposal.kind == "known_result"
    assert subjects(knn, 1) == ["landscape.propose(P0001): propose knn/C0001 as known_result"]
    assert changed(knn) == {"proposals/P0001.yaml", "research-landscape/index.md"}
    assert (
        "P0001: known_result from knn/C0001 by agent:builder"
        in (root / "research-landscape/index.md").read_text()
    )
    [pending] = knn.landscape.review()
    assert pending["mergeable"] and pending["problems"] == []
    assert pending["source"]["claim_sha256"] == proposal.source.claim_sha256

    entry = knn.landscape.merge("P0001", reason="looks solid", actor="user:alice")

    assert entry.id == "E0001" and entry.status == "established" and entry.merged_by == "user:alice"
    assert subjects(knn, 1) == [
        "landscape.merge(E0001): merge P0001 as established known_result E0001"
    ]
    assert changed(knn) == {
        "proposals/P0001.yaml",
        "proposals/decided/P0001.yaml",
        "research-landscape/known-results/E0001.yaml",
        "research-landscape/index.md",
    }
    saved = load_yaml(root / "research-landscape/known-results/E0001.yaml")
    assert list(saved)[:4] == ["format_version", "id", "kind", "status"]
    assert saved["source"]["ara"] == "knn" and saved["source"]["claim"] == "C0001"
    assert len(saved["source"]["commit"]) == 40
    assert saved["headline"]["direction"] == "positive" and saved["metric"] == "accuracy"
    assert saved["evidence"][0]["path"] == "evidence/raw/metrics.jsonl"
    decided = load_yaml(root / "proposals/decided/P0001.yaml")
    assert decided["status"] == "merged" and decided["decision"]["by"] == "user:alice"
    assert not (root / "proposals/P0001.yaml").exists()
    assert "| E0001 | established |" in (root / "research-landscape/index.md").read_text()
    [merge] = read_log(knn.workspace.git, event="landscape.merge")
    assert merge.actor == "user:alice" and merge.trailers["Entry"] == "E0001"
    assert clean(knn)


@pytest.mark.parametrize("action", ["merge", "reject", "retract"])
def test_agents_never_decide(knn, action):
    knn.landscape.propose(ara="knn", claim="C0001", actor=AGENT)
    if action == "retract":
        knn.landscape.merge("P0001")
    before = head(knn)
    with pytest.raises(PermissionDenied, match="needs a person"):
        if action == "merge":
            knn.landscape.merge("P0001", actor=AGENT)
        elif action == "reject":
            knn.landscape.reject("P0001", reason="no", actor="agent:reviewer")
        else:
            knn.landscape.retract("E0001", reason="manual", actor=AGENT)
    assert head(knn) == before and clean(knn)
    if action != "retract":
        assert [p.id for p in knn.landscape.proposals()] == ["P0001"]
        assert knn.landscape.entries() == []


def test_reject_needs_a_reason_and_keeps_the_proposal(knn):
    knn.landscape.propose(ara="knn", claim="C0001", actor=AGENT)
    with pytest.raises(InputError, match="reason"):
        knn.landscape.reject("P0001", reason="  ")
    decided = knn.landscape.reject("P0001", reason="single dataset only", actor="user:bob")
    assert decided.status == "rejected" and decided.decision.reason == "single dataset only"
    assert subjects(knn, 1) == ["landscape.reject(P0001): reject P0001: single dataset only"]
    assert knn.landscape.entries() == [] and knn.landscape.proposals() == []
    with pytest.raises(Conflict, match="already rejected by user:bob"):
        knn.landscape.merge("P0001")


def test_a_retracted_claim_is_never_re_promoted(knn):
    knn.landscape.propose(ara="knn", claim="C0001", actor=AGENT)
    knn.landscape.merge("P0001")
    knn.landscape.retract("E0001", reason="refuted", note="did not replicate on red wine")
    assert subjects(knn, 1) == ["landscape.retract(E0001): retract E0001 (refuted)"]
    retracted = knn.landscape.entry("E0001")
    assert retracted.status == "retracted" and retracted.retraction.reason == "refuted"
    assert (knn.workspace.landscape_dir / "retracted/E0001.yaml").is_file()
    before = head(knn)
    with pytest.raises(Conflict, match=r"retracted entry E0001 .* never be re-promoted"):
        knn.landscape.propose(ara="knn", claim="C0001", actor=AGENT)
    # the same statement and conditions from another ARA (re-worded in case and spacing)
    make_ara(knn, "copy")
    add_claim(knn, "copy", "scaling  improves kNN accuracy on WINE.", value=0.2, ci=(0.1, 0.3))
    mid = head(knn)
    with pytest.raises(Conflict, match="retracted entry E0001"):
        knn.landscape.propose(ara="copy", claim="C0001", kind="hypothesis", actor=AGENT)
    assert head(knn) == mid != before and knn.landscape.proposals() == []


def test_two_proposals_for_the_same_entry_merge_once(knn):
    knn.landscape.propose(ara="knn", claim="C0001", actor=AGENT)
    second = knn.landscape.propose(ara="knn", claim="C0001", actor="agent:other")
    assert second.duplicates == ["P0001"]
    knn.landscape.merge("P0001")
    review = {item["id"]: item for item in knn.landscape.review()}
    assert not review["P0002"]["mergeable"]
    before = head(knn)
    with pytest.raises(Conflict, match="entry E0001 now holds this claim"):
        knn.landscape.merge("P0002")
    assert head(knn) == before and clean(knn)
    assert [e.id for e in knn.landscape.entries()] == ["E0001"]


def test_a_changed_source_claim_is_not_merged(knn):
    knn.landscape.propose(ara="knn", claim="C0001", actor=AGENT)
    knn.aras.update_claim("knn", "C0001", {"statement": "Scaling improves kNN a lot"})
    before = head(knn)
    with pytest.raises(Conflict, match="changed since P0001 was proposed"):
        knn.landscape.merge("P0001")
    assert head(knn) == before and clean(knn)
    assert knn.landscape.entries() == []
    assert (knn.workspace.root / "proposals/P0001.yaml").is_file()


def test_new_evidence_updates_and_promotes_an_entry(knn):
    add_claim(
        knn,
        "knn",
        "Scaling helps kNN on iris",
        value=0.03,
        status="testing",
        conditions={"metric": "accuracy", "dataset": "iris"},
    )
    first = knn.landscape.propose(ara="knn", claim="C0002", actor=AGENT)
    assert first.kind == "hypothesis"  # an untested claim defaults to a hypothesis
    hypothesis = knn.landscape.merge(first.id)
    assert hypothesis.status == "open"
    with pytest.raises(Conflict, match="already holds knn/C0002 at this version"):
        knn.landscape.propose(ara="knn", claim="C0002", kind="hypothesis", actor=AGENT)
    knn.aras.update_claim("knn", "C0002", {"status": "supported"})
    update = knn.landscape.propose(ara="knn", claim="C0002", actor=AGENT)
    assert update.entry == hypothesis.id and update.kind == "known_result"
    promoted = knn.landscape.merge(update.id)
    assert promoted.id == hypothesis.id and promoted.kind == "known_result"
    assert promoted.proposals == [first.id, update.id]
    assert promoted.last_evidence_at >= hypothesis.last_evidence_at
    landscape = knn.workspace.landscape_dir
    assert (landscape / f"known-results/{promoted.id}.yaml").is_file()
    assert not (landscape / f"hypotheses/{promoted.id}.yaml").exists()
    with pytest.raises(Conflict, match="already records this claim as a known result"):
        knn.landscape.propose(ara="knn", claim="C0002", kind="hypothesis", actor=AGENT)


def test_known_results_need_support_and_evidence(knn):
    add_claim(
        knn,
        "knn",
        "Unchecked idea",
        value=0.1,
        status="hypothesis",
        evidence=False,
        conditions={"metric": "f1", "dataset": "digits"},
    )
    before = head(knn)
    with pytest.raises(InputError, match="needs a supported or verified claim") as err:
        knn.landscape.propose(ara="knn", claim="C0002", kind="known_result", actor=AGENT)
    assert err.value.file == "ara/knn/claims/C0002.yaml" and "--as hypothesis" in err.value.fix
    assert head(knn) == before
    knn.aras.update_claim("knn", "C0002", {"status": "withdrawn"})
    with pytest.raises(Conflict, match="withdrawn claim cannot enter"):
        knn.landscape.propose(ara="knn", claim="C0002", kind="hypothesis", actor=AGENT)
