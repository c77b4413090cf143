"""The newcomer's menu: failure traces and retracted entries ranked by recency × discount."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest

from researchos.errors import InputError, PermissionDenied
from researchos.files import load_yaml

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _failure(app, slug, title, *, on, discount_after, tags=("knn",)):
    return app.aras.add_trace(
        slug,
        "failure",
        {
            "title": title,
            "tried": title,
            "why_failed": f"{title} did not help",
            "failure_class": "negative_result",
            "lesson": f"skip {title}",
            "tags": list(tags),
            "attribution": {"actor": "agent:builder", "date": on},
            "discount_after": discount_after,
        },
    )


@pytest.fixture
def traces(app):
    app.aras.create(title="kNN tuning", slug="knn")
    app.aras.create(title="Older kNN work", slug="old")
    _failure(app, "knn", "recent dead end", on="2026-05-01T00:00:00Z", discount_after="2027-11-01")
    # two years old, but a person kept it relevant: no discount
    _failure(app, "old", "kept dead end", on="2024-06-01T00:00:00Z", discount_after="2027-01-01")
    # one year old and past its discount_after: weight x 0.25
    _failure(app, "old", "stale dead end", on="2025-06-01T00:00:00Z", discount_after="2025-12-01")
    _failure(
        app,
        "old",
        "other topic",
        on="2026-05-01T00:00:00Z",
        discount_after="2027-11-01",
        tags=("transformers",),
    )
    return app


def test_rank_orders_by_recency_times_discount(traces):
    menu = traces.learning.rank("KNN", now=NOW)
    avoid = menu["avoid"]
    assert [i["title"] for i in avoid] == ["recent dead end", "kept dead end", "stale dead end"]
    recent, kept, stale = avoid
    assert recent["score"] > 0.9 and not recent["discounted"]
    assert kept["score"] == pytest.approx(0.5 ** (730 / 365), rel=1e-3) and kept["discount"] == 1
    assert stale["discounted"] and stale["discount"] == 0.25
    assert stale["score"] == pytest.approx(0.5 ** (365 / 365) * 0.25, rel=1e-3)
    assert (
        stale["ref"] == "ara/old/traces/failures/F0002" and stale["lesson"] == "skip stale dead end"
    )
    assert menu["try"] == []


def test_a_person_extends_discount_after_and_the_order_changes(traces, cli, monkeypatch):
    monkeypatch.setenv("RESEARCHOS_ACTOR", "agent:builder")
    refused = cli("traces", "extend", "old", "F0002", "--until", "2027-06-01")
    assert refused.code == 1 and "needs a person" in refused.err
    with pytest.raises(PermissionDenied):
        traces.learning.extend_trace("old", "F0002", until=NOW.date(), actor="agent:x")
    with pytest.raises(InputError, match="not after the current discount_after"):
        traces.learning.extend_trace("old", "F0002", until=datetime(2025, 1, 1).date())

    monkeypatch.setenv("RESEARCHOS_ACTOR", "user:frank")
    done = cli(
        "traces", "extend", "old", "F0002", "--until", "2027-06-01", "--reason", "still true"
    )
    assert done.code == 0, done.err
    trace = load_yaml(traces.workspace.root / "ara/old/traces/failures/F0002.yaml")
    assert trace["discount_after"] == "2027-06-01"
    subject = subprocess.run(
        ["git", "log", "-n1", "--format=%s%n%b"],
        cwd=traces.workspace.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert subject.startswith(
        "trace.extend(old): extend F0002 discount_after 2025-12-01 -> 2027-06-01"
    )
    assert "Researchos-Actor: user:frank" in subject

    ranked = json.loads(
        cli("traces", "rank", "--tag", "knn", "--now", NOW.isoformat(), "--json").out
    )
    assert [i["title"] for i in ranked["avoid"]] == [
        "recent dead end",
        "stale dead end",
        "kept dead end",
    ]


def test_retracted_entries_are_dead_ends_and_known_results_are_to_try(traces):
    traces.aras.create(title="Wine", slug="wine")
    source = traces.workspace.root.parent / "metrics.jsonl"
    source.write_text('{"metric": "accuracy", "value": 0.9}\n')
    ref = traces.aras.add_evidence("wine", source)
    for statement, status, conditions in (
        ("Scaling improves kNN accuracy on wine", "supported", {"treatment": "scaled"}),
        ("Bigger k always helps", "testing", {"k": "large"}),
    ):
        traces.aras.add_claim(
            "wine",
            {
                "statement": statement,
                "status": status,
                "kind": "comparison",
                "tags": ["knn"],
                "conditions": {"metric": "accuracy", "dataset": "wine", **conditions},
                "numbers": [{"value": 0.1, "metric": "accuracy:diff[a-b]"}],
                "evidence": [ref.model_dump(exclude_none=True)],
            },
        )
    for claim in ("C0001", "C0002"):
        traces.landscape.merge(traces.landscape.propose(ara="wine", claim=claim).id)
    traces.landscape.retract("E0002", reason="refuted", note="k=50 was worse")
    menu = traces.learning.rank("knn")
    kinds = [(i["kind"], i["ref"]) for i in menu["avoid"]]
    assert kinds[0] == ("retracted_entry", "research-landscape/retracted/E0002")
    assert menu["avoid"][0]["why"] == "refuted: k=50 was worse"
    assert [(i["kind"], i["ref"]) for i in menu["try"]] == [
        ("known_result", "research-landscape/E0001")
    ]
    assert len(menu["avoid"]) == 4  # every failure trace stays: nothing is pruned
    assert traces.learning.rank("accuracy")["try"][0]["ref"] == "research-landscape/E0001"


def test_rank_cli_needs_a_tag(app, cli):
    assert cli("traces", "rank").code != 0
    empty = cli("traces", "rank", "--tag", "nothing", "--json")
    assert json.loads(empty.out) == {"tag": "nothing", "avoid": [], "try": []}
    shown = cli("traces", "rank", "--tag", "nothing")
    assert shown.code == 0 and "Do not repeat" in shown.out
