"""Pages generated from ARAs, provenance, stale detection and near-duplicates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from knowledge_helpers import write_page

from researchos.app import App
from researchos.history.commits import read_log
from researchos.knowledge import api
from researchos.knowledge.duplicates import estimate, find_duplicates, jaccard, signature


def _ara(app: App) -> str:
    aras = app.aras
    aras.create(title="HTTP client migration", slug="http-migration")
    aras.add_claim(
        "http-migration", {"statement": "httpx 0.28 drops proxies=", "status": "verified"}
    )
    aras.add_claim(
        "http-migration",
        {"statement": "proxy= works in 0.28", "dependencies": ["C0001"], "tags": ["http"]},
    )
    aras.add_trace(
        "http-migration",
        "failure",
        {
            "title": "Passing proxies= crashed the client",
            "tried": "httpx.Client(proxies=...) on 0.28.1",
            "why_failed": "TypeError: unexpected keyword argument 'proxies'",
            "failure_class": "bug",
            "lesson": "use proxy= or mounts",
        },
    )
    return "http-migration"


def test_sync_generates_pages_with_provenance_and_is_idempotent(sqlite_app: App, cli) -> None:
    slug = _ara(sqlite_app)
    result = cli("knowledge", "sync", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert sorted(report["written"]) == [f"{slug}.c0001", f"{slug}.c0002", f"{slug}.f0001"]
    entry = read_log(sqlite_app.workspace.git, limit=1)[0]
    assert entry.event == "knowledge.sync"
    claim = sqlite_app.knowledge.get(f"{slug}.c0002")
    assert claim.depends_on == [f"{slug}.c0001"] and claim.review == "draft"
    assert sqlite_app.knowledge.get(f"{slug}.c0001").review == "verified"
    failure = sqlite_app.knowledge.get(f"{slug}.f0001")
    assert failure.kind == "failure" and failure.discount_after is not None
    prov = json.loads(cli("knowledge", "provenance", f"{slug}.c0001", "--json").out)
    assert prov["provenance"]["path"] == f"ara/{slug}/claims/C0001.yaml"
    assert prov["sources"][0]["status"] == "ok" and len(prov["provenance"]["sha256"]) == 64
    assert prov["history"][0]["event"] == "knowledge.sync"
    commits = len(read_log(sqlite_app.workspace.git))
    again = json.loads(cli("knowledge", "sync", "--json").out)
    assert again["written"] == [] and len(again["unchanged"]) == 3
    assert len(read_log(sqlite_app.workspace.git)) == commits


def test_changed_source_makes_a_page_stale_until_the_next_sync(sqlite_app: App, cli) -> None:
    slug = _ara(sqlite_app)
    sqlite_app.knowledge.sync()
    assert api.stale_pages(sqlite_app.knowledge) == []
    sqlite_app.aras.update_claim(slug, "C0002", {"statement": "proxy= works from 0.28 on"})
    stale = json.loads(cli("knowledge", "stale", "--json").out)
    assert [s["page_id"] for s in stale] == [f"{slug}.c0002"]
    assert stale[0]["reasons"][0].startswith("source changed: ara/http-migration/claims/C0002")
    report = sqlite_app.knowledge.sync()
    assert report.written == [f"{slug}.c0002"]
    assert api.stale_pages(sqlite_app.knowledge) == []


def test_sync_keeps_hand_written_pages_and_human_reviews(sqlite_app: App, tmp_path: Path) -> None:
    slug = _ara(sqlite_app)
    sqlite_app.knowledge.sync()
    sqlite_app.knowledge.review(f"{slug}.c0002", status="reviewed", note="read it")
    assert sqlite_app.knowledge.sync().written == []
    assert sqlite_app.knowledge.get(f"{slug}.c0002").review == "reviewed"
    hand = f"---\nid: {slug}.f0001\nkind: policy\ntitle: mine\n---\nmine\n"
    sqlite_app.knowledge.add(write_page(tmp_path, "h.md", hand), update=True)
    report = sqlite_app.knowledge.sync()
    assert any(line.startswith(f"{slug}.f0001") for line in report.skipped)
    assert sqlite_app.knowledge.get(f"{slug}.f0001").kind == "policy"


def test_old_pages_are_stale_by_age(sqlite_app: App, tmp_path: Path) -> None:
    old = (datetime.now(UTC) - timedelta(days=400)).isoformat()
    text = f"---\nid: old\nkind: claim\ntitle: old news\nupdated: '{old}'\n---\nold\n"
    sqlite_app.knowledge.add(write_page(tmp_path, "o.md", text))
    found = api.stale_pages(sqlite_app.knowledge)
    assert found[0]["page_id"] == "old" and "not updated for 400 days" in found[0]["reasons"][0]
    assert api.stale_pages(sqlite_app.knowledge, max_age_days=0) == []


# Near-duplicates. The threshold (0.5) was measured on these pairs: edited copies of a page
# (a word swapped, a sentence added, a clause reworded) estimate 0.62-0.91; distinct pages on the
# same topic estimate at most 0.02.
BASE = (
    "Passing proxies to httpx Client raises TypeError unexpected keyword argument since "
    "version 0.28. Configure a proxy with the proxy argument or with mounts of transports. "
    "The old argument was deprecated in 0.26 and removed in 0.28."
)
NEAR = [
    BASE.replace("raises", "throws"),
    BASE + " See the changelog for details.",
    BASE.replace("Configure a proxy with the proxy argument", "Use the proxy argument instead"),
    BASE.replace("since version 0.28", "from version 0.28 on").replace("of transports", ""),
]
DISTINCT = [
    "httpx applies a default timeout of five seconds to every request unless timeout is set. "
    "Long downloads raise ReadTimeout; pass a larger Timeout for slow servers.",
    "requests Session with an HTTPAdapter and urllib3 Retry retries transient server errors "
    "with exponential backoff for status codes 502 and 503.",
    "The proxy argument of httpx Client accepts a URL; mounts map URL patterns to transports "
    "such as HTTPTransport with a proxy for each scheme.",
]


def test_duplicate_threshold_separates_edited_copies_from_related_pages() -> None:
    near = [estimate(signature(BASE), signature(text)) for text in NEAR]
    distinct = [estimate(signature(BASE), signature(text)) for text in DISTINCT]
    print("near", [round(x, 2) for x in near], "distinct", [round(x, 2) for x in distinct])
    assert min(near) >= 0.5 > max(distinct)
    for text in NEAR:  # the MinHash estimate stays close to the exact Jaccard similarity
        assert abs(estimate(signature(BASE), signature(text)) - jaccard(BASE, text)) < 0.15


@pytest.mark.parametrize("count", [10, 2500])
def test_find_duplicates_exact_and_banded(count: int) -> None:
    texts = [
        (f"p{i}", f"unique page number {i} about topic {i * 7} and word w{i}") for i in range(count)
    ]
    texts += [("copy-a", BASE), ("copy-b", NEAR[1])]
    pairs = find_duplicates(texts, threshold=0.5)
    assert [(p.first, p.second) for p in pairs] == [("copy-a", "copy-b")]


def test_duplicates_cli(sqlite_app: App, tmp_path: Path, cli) -> None:
    for name, body in (("a", BASE), ("b", NEAR[0]), ("c", DISTINCT[0])):
        text = f"---\nid: {name}\nkind: claim\ntitle: proxies\n---\n{body}\n"
        sqlite_app.knowledge.add(write_page(tmp_path, f"{name}.md", text))
    pairs = json.loads(cli("knowledge", "duplicates", "--json").out)
    assert [(p["first"], p["second"]) for p in pairs] == [("a", "b")]
