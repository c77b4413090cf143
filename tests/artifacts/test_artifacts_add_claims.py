"""AraService.add_claims: several claims and their files as one atomic semantic commit."""

from __future__ import annotations

import pytest

from researchos.app import App
from researchos.errors import Conflict, InputError
from researchos.history.commits import read_log
from researchos.history.git import Git


def test_add_claims_writes_files_and_claims_in_one_commit_with_a_trailer_each(app: App) -> None:
    app.aras.create(title="Batch", slug="batch")
    ref = {"path": "evidence/raw/m.jsonl", "sha256": "a" * 64}
    claims = app.aras.add_claims(
        "batch",
        [
            {"id": "E1", "statement": "Mean is 0.5.", "evidence": [ref]},
            {"statement": "Builds on E1.", "dependencies": ["E1"]},
        ],
        files={"evidence/raw/m.jsonl": b'{"value": 0.5}\n'},
        event="analysis.add",
        summary="add a batch",
    )
    assert [c.id for c in claims] == ["E1", "C0001"]
    assert app.aras.get("batch").claims == ["E1", "C0001"]
    git = Git(app.workspace.root)
    log = read_log(git, ara="batch")
    assert [e.event for e in log] == ["analysis.add", "ara.create"]
    assert log[0].trailers["Claim"] == "E1, C0001"
    assert [e.commit for e in read_log(git, claim="C0001")] == [log[0].commit]
    assert [e.commit for e in read_log(git, claim="E1")] == [log[0].commit]


def test_add_claims_is_all_or_nothing(app: App) -> None:
    app.aras.create(title="Atomic", slug="atomic")
    head = Git(app.workspace.root).head()
    with pytest.raises(InputError, match="unknown claim"):
        app.aras.add_claims(
            "atomic",
            [{"id": "A", "statement": "fine"}, {"statement": "bad", "dependencies": ["Z"]}],
            files={"evidence/raw/x.txt": b"x"},
        )
    assert Git(app.workspace.root).head() == head
    assert app.aras.get("atomic").claims == []
    assert not (app.aras.paths("atomic").root / "evidence/raw/x.txt").exists()
    app.aras.add_claims("atomic", [{"id": "A", "statement": "fine"}])
    with pytest.raises(Conflict):
        app.aras.add_claims("atomic", [{"id": "A", "statement": "again"}])
