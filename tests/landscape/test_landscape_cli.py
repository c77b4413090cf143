"""The landscape from the command line: RESEARCHOS_ACTOR decides who may decide."""

from __future__ import annotations

import json

from landscape_data import add_claim, make_ara

from researchos.history.commits import read_log


def test_agent_proposes_person_merges_through_the_cli(app, cli, monkeypatch):
    make_ara(app)
    add_claim(app, "knn", "Scaling improves kNN accuracy on wine", value=0.12, ci=(0.08, 0.16))
    add_claim(app, "knn", "Scaling hurts kNN accuracy on wine", value=-0.05, ci=(-0.09, -0.01))

    monkeypatch.setenv("RESEARCHOS_ACTOR", "agent:builder")
    made = cli(
        "landscape", "propose", "--ara", "knn", "--claim", "C0001", "--rationale", "two seeds"
    )
    assert made.code == 0, made.err
    assert "P0001: knn/C0001 proposed as known_result" in made.out
    refused = cli("landscape", "merge", "P0001")
    assert refused.code == 1 and "needs a person" in refused.err
    assert "agent:builder" in refused.err and "Traceback" not in refused.err

    monkeypatch.setenv("RESEARCHOS_ACTOR", "user:alice")
    review = json.loads(cli("landscape", "review", "--json").out)
    assert [p["id"] for p in review] == ["P0001"] and review[0]["mergeable"]
    merged = cli("landscape", "merge", "P0001", "--json")
    assert merged.code == 0 and json.loads(merged.out)["id"] == "E0001"

    monkeypatch.setenv("RESEARCHOS_ACTOR", "agent:builder")
    contested = cli("landscape", "propose", "--ara", "knn", "--claim", "C0002")
    assert "contradiction with E0001 (confirmed)" in contested.out
    assert "contested hypothesis" in contested.out
    monkeypatch.setenv("RESEARCHOS_ACTOR", "user:alice")
    assert cli("landscape", "reject", "P0002").code != 0  # --reason is required
    assert cli("landscape", "reject", "P0002", "--reason", "one seed only").code == 0
    assert cli("landscape", "retract", "E0001", "--reason", "evidence_timeout").code != 0
    assert cli("landscape", "retract", "E0001", "--reason", "withdrawn", "--note", "typo").code == 0

    shown = json.loads(cli("landscape", "show", "--json").out)
    assert [(e["id"], e["status"]) for e in shown["entries"]] == [("E0001", "retracted")]
    one = json.loads(cli("landscape", "show", "E0001", "--json").out)
    assert one["retraction"] == {**one["retraction"], "reason": "withdrawn", "by": "user:alice"}
    assert cli("landscape", "show", "E0404").code == 1
    events = [h.event for h in read_log(app.workspace.git) if h.event.startswith("landscape")]
    assert events == [
        "landscape.retract",
        "landscape.reject",
        "landscape.propose",
        "landscape.merge",
        "landscape.propose",
    ]
    table = cli("landscape", "show")
    assert table.code == 0 and "E0001" in table.out


def test_schema_and_unknown_ids(app, cli):
    schema = json.loads(cli("landscape", "schema").out)
    assert set(schema["x-files"].values()) == {"#/$defs/LandscapeEntry", "#/$defs/Proposal"}
    missing = cli("landscape", "merge", "P0042")
    assert missing.code == 1 and "no proposal 'P0042'" in missing.err
    gone = cli("landscape", "propose", "--ara", "nope", "--claim", "C0001")
    assert gone.code == 1 and "no ARA named 'nope'" in gone.err
