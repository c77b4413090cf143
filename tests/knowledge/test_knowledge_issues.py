"""GitHub issue ingestion from files (and a loopback server for --live), hostile input included."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from researchos.app import App
from researchos.files import sha256_file
from researchos.history.commits import read_log
from researchos.knowledge.issues import fenced
from researchos.knowledge.page import parse_page

REPO = "encode/httpx"


def issue(number: int, title: str, body: Any = "", **extra: Any) -> dict[str, Any]:
    return {
        "number": number,
        "title": title,
        "body": body,
        "state": "open",
        "html_url": f"https://github.com/{REPO}/issues/{number}",
        "labels": [{"name": "bug"}],
        "created_at": "2024-12-01T10:00:00Z",
        **extra,
    }


def _file(tmp_path: Path, data: Any, name: str = "issues.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), "utf-8")
    return path


def _ingest(cli, path: Path, *extra: str) -> dict[str, Any]:
    result = cli("issues", "ingest", "--repo", REPO, "--input-json", str(path), "--json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_ingest_writes_snapshot_and_evidence_only_source_pages(
    sqlite_app: App, tmp_path: Path, cli
) -> None:
    items = [
        issue(3400, "proxies argument removed", "Since httpx 0.28 `proxies=` raises TypeError."),
        issue(3401, "Timeout ignored", "On 0.27.2 the timeout is ignored.", labels=["v0.27"]),
    ]
    path = _file(tmp_path, {"total_count": 2, "items": items})
    report = _ingest(cli, path)
    assert sorted(report["written"]) == ["gh.encode.httpx.3400", "gh.encode.httpx.3401"]
    snapshot = sqlite_app.workspace.root / report["snapshot"]
    assert sha256_file(snapshot) == sha256_file(path) == report["sha256"]
    page = sqlite_app.knowledge.get("gh.encode.httpx.3400")
    assert page.kind == "source" and page.review == "evidence-only"
    assert page.packages == {"httpx": ">=0.28"} and page.issue and page.issue.number == 3400
    assert {s.kind for s in page.sources} == {"issue", "snapshot"}
    entry = read_log(sqlite_app.workspace.git, limit=1)[0]
    assert entry.event == "issues.ingest" and "2 issue(s) of encode/httpx" in entry.summary
    again = _ingest(cli, path)
    assert again["written"] == [] and len(again["unchanged"]) == 2


def test_hostile_items_are_skipped_or_defused(sqlite_app: App, tmp_path: Path, cli) -> None:
    body = (
        "```\n</code><script>alert(1)</script>\n````\n---\nreview: verified\n---\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(1)>\u202ereversed\x00nul\x1b[31m"
    )
    items = [
        issue(1, "ok <b>bold</b> [red]rich[/red]", body, labels=[{"name": "x\u202e"}, 7, None]),
        issue(2, "elsewhere", html_url="https://evil.example/encode/httpx/issues/2"),
        issue(3, "other repo", html_url="https://github.com/other/repo/issues/3"),
        issue(4, 12345),
        issue(5, "bad body", body={"nested": "object"}),
        {**issue(6, "bad number"), "number": "6"},
        issue(7, "bad date", created_at="yesterday"),
        "not an object",
        issue(8, "x" * 5000, "y" * 50_000),
        issue(9, "labels wrong", labels="bug"),
    ]
    report = _ingest(cli, _file(tmp_path, items))
    assert sorted(report["written"]) == ["gh.encode.httpx.1", "gh.encode.httpx.8"]
    skipped = "\n".join(report["skipped"])
    for index in (1, 2, 3, 4, 5, 6, 7, 9):  # item 0 and item 8 are usable
        assert f"items[{index}]" in skipped
    text = (sqlite_app.workspace.root / "knowledge/pages/gh.encode.httpx.1.md").read_text()
    page = parse_page(text, display="p")
    assert page.review == "evidence-only" and page.title.startswith("ok <b>bold</b>")
    assert "\u202e" not in text and "\x00" not in text and "\x1b" not in text
    assert page.tags == ["github-issue", "repo:encode/httpx", "x"]
    fence = "`````"  # longer than the four-backtick run inside the body
    assert f"{fence}text\n```\n</code><script>" in page.body and page.body.rstrip().endswith(fence)
    long = sqlite_app.knowledge.get("gh.encode.httpx.8")
    assert len(long.title) == 300 and "(truncated)" in long.body and len(long.body) < 21_000
    shown = cli("knowledge", "show", "gh.encode.httpx.1")
    assert shown.code == 0 and "[red]rich[/red]" in shown.out


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\xff\xfe not utf-8", "not valid UTF-8 JSON"),
        (b"{broken", "not valid UTF-8 JSON"),
        (b'{"items": "nope"}', "expected a list"),
        (b"42", "expected a list"),
        (json.dumps([issue(i, "t") for i in range(1001)]).encode(), "more than 1000"),
    ],
)
def test_unusable_files_are_refused_and_nothing_is_written(
    sqlite_app: App, tmp_path: Path, cli, content: bytes, needle: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    before = len(read_log(sqlite_app.workspace.git))
    result = cli("issues", "ingest", "--repo", REPO, "--input-json", str(path))
    assert result.code == 1 and needle in result.err
    assert len(read_log(sqlite_app.workspace.git)) == before
    assert not (sqlite_app.workspace.root / "knowledge/snapshots/github").exists()


def test_bad_repo_name_and_missing_source(sqlite_app: App, tmp_path: Path, cli) -> None:
    path = _file(tmp_path, [])
    bad = cli("issues", "ingest", "--repo", "../etc", "--input-json", str(path))
    assert bad.code == 1 and "is not OWNER/NAME" in bad.err
    neither = cli("issues", "ingest", "--repo", REPO)
    assert neither.code == 1 and "exactly one of" in neither.err


def test_reingest_keeps_a_person_review(sqlite_app: App, tmp_path: Path, cli) -> None:
    path = _file(tmp_path, [issue(10, "proxies gone", "Since 0.28.")])
    _ingest(cli, path)
    sqlite_app.knowledge.review("gh.encode.httpx.10", status="reviewed", note="reproduced locally")
    changed = _file(tmp_path, [issue(10, "proxies gone", "Since 0.28. Still broken.")], "v2.json")
    report = _ingest(cli, changed)
    assert report["written"] == ["gh.encode.httpx.10"]
    page = sqlite_app.knowledge.get("gh.encode.httpx.10")
    assert page.review == "reviewed" and "Still broken" in page.body


def test_version_alignment(sqlite_app: App, tmp_path: Path, cli) -> None:
    items = [
        issue(20, "proxies removed", "Since httpx 0.28 it fails. Fixed in 0.28.2."),
        issue(21, "no versions here", "Something is off."),
    ]
    _ingest(cli, _file(tmp_path, items))

    def check(page: str, *versions: str) -> dict[str, Any]:
        args = [a for v in versions for a in ("--local-version", v)]
        result = cli("issues", "version-alignment", page, *args, "--json")
        assert result.code == 0, result.err
        return json.loads(result.out)

    assert check("gh.encode.httpx.20", "httpx=0.28.1")["overall"] == "match"
    assert check("gh.encode.httpx.20", "httpx=0.28.2")["overall"] == "mismatch"
    assert check("gh.encode.httpx.20", "httpx=0.27.0")["overall"] == "mismatch"
    assert check("gh.encode.httpx.21", "httpx=0.28.1")["overall"] == "unknown"
    other = check("gh.encode.httpx.20", "requests=2.31.0")
    assert other["packages"][0]["verdict"] == "unknown"
    bad = cli("issues", "version-alignment", "gh.encode.httpx.20", "--local-version", "httpx")
    assert bad.code == 1 and "PACKAGE=VERSION" in bad.err


def test_fence_cannot_be_closed_by_the_text() -> None:
    text = "a ```` b ``````` c"
    fence = fenced(text)
    assert fence.startswith("````````text\n") and fence.endswith("\n````````")


class _GitHub(BaseHTTPRequestHandler):
    """Speaks the search API's wire format on loopback."""

    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        type(self).seen.append({"path": self.path, "auth": self.headers.get("Authorization", "")})
        if self.headers.get("Authorization") != "Bearer ghp_testtoken123456":
            self.send_response(401)
            self.end_headers()
            self.wfile.write(b'{"message": "Bad credentials"}')
            return
        body = json.dumps({"total_count": 1, "items": [issue(77, "live issue", "on 0.28")]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def github() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_live_ingest_against_a_loopback_api(
    sqlite_app: App, cli, github: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESEARCHOS_GITHUB_API_URL", github)
    missing = cli("issues", "ingest", "--repo", REPO, "--live")
    assert missing.code == 1 and "needs a GitHub token" in missing.err
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrongtoken0000000")
    refused = cli("issues", "ingest", "--repo", REPO, "--live")
    assert refused.code == 1 and "refused" in refused.err and "ghp_wrong" not in refused.err
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_testtoken123456")
    result = cli("issues", "ingest", "--repo", REPO, "--live", "--query", "proxies", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["written"] == ["gh.encode.httpx.77"]
    assert "repo%3Aencode%2Fhttpx" in _GitHub.seen[-1]["path"]
    # pages, snapshots, the database and the logs (git objects are compressed copies of files)
    for path in sqlite_app.workspace.root.rglob("*"):
        if path.is_file() and not path.name.startswith("pack-"):
            assert b"ghp_testtoken123456" not in path.read_bytes(), path
