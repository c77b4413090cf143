"""Work briefs (agent_work_context.v1): sections, ranking, dependency matching, budget."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from researchos.app import App
from researchos.errors import InputError
from researchos.knowledge.brief import build_work_brief
from researchos.knowledge.brief_model import brief_json_schema
from researchos.knowledge.contract import REQUIRED_FOR_COMPLETION
from researchos.knowledge.page import parse_page

NOW = datetime.now(UTC)
OLD = (NOW - timedelta(days=3 * 365)).isoformat()
PAST = (NOW - timedelta(days=2 * 365)).date().isoformat()
PAGES = [
    (
        "socket-lifecycle",
        "claim",
        "Close pooled sockets when done",
        "",
        "Leaving sockets open exhausts file descriptors.",
    ),
    (
        "httpx-proxy-api",
        "dependency",
        "httpx 0.28 proxy configuration",
        "packages: {httpx: '>=0.28'}\nreview: verified\ndependsOn: [socket-lifecycle]\n",
        "Configure an HTTP proxy with proxy= or mounts in httpx 0.28 and later.",
    ),
    (
        "httpx-old-proxies",
        "dependency",
        "httpx before 0.28 used proxies=",
        "packages: {httpx: '<0.28'}\n",
        "Older httpx took a proxies mapping for the proxy setup.",
    ),
    (
        "proxy-crash-recent",
        "failure",
        "Proxy setup crashed the HTTP client last week",
        "",
        "Passing proxies= to the client raised TypeError while configuring the proxy.",
    ),
    (
        "proxy-crash-old",
        "failure",
        "Proxy setup crashed the HTTP client years ago",
        f"created: '{OLD}'\ndiscount_after: '{PAST}'\n",
        "Passing proxies= to the client raised TypeError while configuring the proxy.",
    ),
    (
        "use-mounts",
        "intervention",
        "Route proxy traffic through transport mounts",
        "review: reviewed\n",
        "Mount an HTTPTransport with a proxy for each URL scheme.",
    ),
    (
        "draft-hack",
        "intervention",
        "Monkeypatch the proxy handling of the client",
        "",
        "Patch httpx internals to accept proxies again.",
    ),
    (
        "tests-before-finish",
        "policy",
        "Run the proxy tests before finishing",
        "review: reviewed\n",
        "Every proxy change needs the integration tests to pass first.",
    ),
    (
        "gh.encode.httpx.1",
        "source",
        "Proxy configuration broken after upgrade",
        "review: evidence-only\n",
        "Reported: proxy configuration fails after the upgrade.",
    ),
    (
        "axios-abort",
        "dependency",
        "axios cancels requests with AbortController",
        "packages: {'npm:axios': '^1.6.0'}\n",
        "Pass signal: controller.signal to axios.",
    ),
]


def _load(app: App) -> None:
    pages = [
        parse_page(
            f"---\nid: {pid}\nkind: {kind}\ntitle: {title}\n{extra}---\n{body}\n", display=pid
        )
        for pid, kind, title, extra, body in PAGES
    ]
    app.knowledge.write_pages(pages, event="knowledge.add", summary="brief fixture")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["httpx==0.28.1"]\n'
    )
    (root / "package.json").write_text(json.dumps({"dependencies": {"axios": "^1.6.0"}}))
    (root / "package-lock.json").write_text(
        json.dumps({"packages": {"node_modules/axios": {"version": "1.7.2"}}})
    )
    return root


def test_brief_sections_ranking_and_contract(kapp: App, repo: Path) -> None:
    _load(kapp)
    brief = build_work_brief(
        kapp.knowledge, task="configure an HTTP proxy for the client", repo=repo
    )
    ids = lambda items: [item.id for item in items]  # noqa: E731
    deps = {d.page.id: d for d in brief.dependency_knowledge}
    assert set(deps) == {"httpx-proxy-api", "axios-abort"}
    assert deps["httpx-proxy-api"].local_version == "0.28.1" and deps["httpx-proxy-api"].applies
    assert (
        deps["axios-abort"].local_version == "1.7.2"
        and deps["axios-abort"].file == "package-lock.json"
    )
    assert "httpx-old-proxies" not in json.dumps(brief.model_dump(mode="json"))
    risks = ids(brief.known_risks)
    assert risks.index("proxy-crash-recent") < risks.index("proxy-crash-old")
    old = next(r for r in brief.known_risks if r.id == "proxy-crash-old")
    assert old.discount == 0.5 and old.recency < 0.3
    assert ids(brief.approved_interventions) == ["use-mounts"]
    assert ids(brief.decision_rules) == ["tests-before-finish"]
    closure = next(p for p in brief.must_load if p.id == "socket-lifecycle")
    assert closure.reason == "dependsOn of httpx-proxy-api"
    assert "draft-hack" not in json.dumps(brief.model_dump(mode="json"))
    bounds = brief.evidence_boundaries
    assert "httpx-proxy-api" in bounds.verified and "gh.encode.httpx.1" in bounds.evidence_only
    contract = brief.presentation_contract
    assert set(contract.must_load) >= {"socket-lifecycle", "use-mounts", "proxy-crash-recent"}
    verify = {item.page_id for item in contract.must_verify}
    assert {"httpx-proxy-api", "axios-abort", "gh.encode.httpx.1"} <= verify
    assert contract.required_for_completion == list(REQUIRED_FOR_COMPLETION)
    assert brief.budget.dropped == [] and brief.budget.estimated_tokens <= 4000
    jsonschema.validate(brief.model_dump(mode="json"), brief_json_schema())


def test_a_small_budget_drops_the_lowest_ranked_items_and_says_so(
    sqlite_app: App, repo: Path
) -> None:
    _load(sqlite_app)
    full = build_work_brief(sqlite_app.knowledge, task="configure an HTTP proxy", repo=repo)
    budget = full.budget.estimated_tokens // 2
    small = build_work_brief(
        sqlite_app.knowledge, task="configure an HTTP proxy", repo=repo, token_budget=budget
    )
    assert small.budget.estimated_tokens <= budget
    dropped = {d.id for d in small.budget.dropped}
    assert dropped and not dropped & set(small.presentation_contract.must_load)
    kept = {p.id for p in small.must_load} | {r.id for r in small.known_risks}
    assert "proxy-crash-old" in dropped or "proxy-crash-old" not in kept
    assert len(small.model_dump_json()) / 4 <= budget
    with pytest.raises(InputError, match="token budget of"):
        build_work_brief(
            sqlite_app.knowledge, task="configure an HTTP proxy", repo=repo, token_budget=200
        )


def test_brief_without_repo_uses_named_libraries(sqlite_app: App) -> None:
    _load(sqlite_app)
    brief = build_work_brief(
        sqlite_app.knowledge, task="update the client", libraries=["httpx==0.27.2"]
    )
    assert [d.page.id for d in brief.dependency_knowledge] == ["httpx-old-proxies"]
    assert brief.repo.path is None and brief.retrieval.mode == "hybrid"


def test_brief_cli_json_and_bad_input(sqlite_app: App, repo: Path, cli) -> None:
    _load(sqlite_app)
    result = cli("brief", "--task", "configure an HTTP proxy", "--repo", str(repo), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["format"] == "agent_work_context.v1" and data["presentation_contract"]["must_load"]
    assert cli("brief", "--task", "   ").code == 1
    missing = cli("brief", "--task", "x", "--repo", str(repo / "nope"))
    assert missing.code == 1 and "is not a directory" in missing.err
