"""Knowledge pages: format, validation, semantic commits, dependsOn graph and reviews."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from knowledge_helpers import write_page

from researchos.app import App
from researchos.errors import Conflict, InputError, PermissionDenied
from researchos.history.commits import read_log
from researchos.knowledge.graph import find_cycle
from researchos.knowledge.page import parse_page, render_page

GOOD = """---
id: httpx-basics
kind: dependency
title: httpx client basics
packages: {httpx: ">=0.27,<0.29", "npm:axios": "^1.6.0"}
sources: [https://www.python-httpx.org/, {ref: docs/notes.md, kind: file}]
tags: [http]
---
Use `httpx.Client` as a context manager.
"""


def page(
    page_id: str, *, depends: tuple[str, ...] = (), kind: str = "claim", extra: str = ""
) -> str:
    deps = f"dependsOn: [{', '.join(depends)}]\n" if depends else ""
    head = f"id: {page_id}\nkind: {kind}\ntitle: Page {page_id}\n{deps}{extra}"
    return f"---\n{head}---\nBody of {page_id}.\n"


def _commits(app: App) -> int:
    return len(read_log(app.workspace.git))


def test_page_round_trips_through_its_file_format() -> None:
    parsed = parse_page(GOOD, display="p.md")
    assert parsed.depends_on == [] and parsed.packages["npm:axios"] == "^1.6.0"
    assert parsed.sources[0].kind == "url" and parsed.sources[1].ref == "docs/notes.md"
    again = parse_page(render_page(parsed), display="p.md")
    assert again == parsed
    assert "dependsOn: []" in render_page(parsed)  # the camelCase key of the format


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("no frontmatter here", "no YAML frontmatter"),
        ("---\nid: [unclosed\n---\nbody", "malformed YAML at line 3"),
        ("---\nid: x\nkind: claim\ntitle: t\ncolour: red\n---\n", "colour: unknown field"),
        ("---\nid: x\nkind: rumour\ntitle: t\n---\n", "kind:"),
        ("---\nid: Bad Id\nkind: claim\ntitle: t\n---\n", "id:"),
        ("---\nid: x\nkind: claim\ntitle: t\npackages: {httpx: '>>1'}\n---\n", "packages"),
        ("---\nid: x\nkind: claim\ntitle: t\nreview: approved\n---\n", "review"),
        ("---\nid: x\nkind: claim\ntitle: t\nformat_version: 2\n---\n", "format_version"),
        ("---\n- a list\n---\n", "mapping"),
    ],
)
def test_malformed_pages_name_file_and_field(text: str, needle: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_page(text, display="knowledge/bad.md")
    assert "knowledge/bad.md" in str(caught.value)
    assert needle in str(caught.value)


def test_add_copies_the_page_and_makes_one_semantic_commit(
    sqlite_app: App, tmp_path: Path, cli
) -> None:
    before = _commits(sqlite_app)
    result = cli("knowledge", "add", str(write_page(tmp_path, "p.md", GOOD)), "--json")
    assert result.code == 0, result.err
    assert (sqlite_app.workspace.root / "knowledge/pages/httpx-basics.md").is_file()
    entry = read_log(sqlite_app.workspace.git, limit=1)[0]
    assert (entry.event, entry.scope) == ("knowledge.add", "knowledge")
    assert entry.trailers["Page"] == "httpx-basics" and _commits(sqlite_app) == before + 1
    shown = json.loads(cli("knowledge", "show", "httpx-basics", "--json").out)
    assert shown["provenance"]["added_by"] == "user:user" and "context manager" in shown["body"]


def test_adding_an_existing_id_needs_update(sqlite_app: App, tmp_path: Path) -> None:
    kb = sqlite_app.knowledge
    first = kb.add(write_page(tmp_path, "a.md", page("a")))
    with pytest.raises(Conflict):
        kb.add(write_page(tmp_path, "a2.md", page("a", kind="policy")))
    updated = kb.add(write_page(tmp_path, "a3.md", page("a", kind="policy")), update=True)
    assert updated.kind == "policy" and updated.created == first.created
    assert read_log(sqlite_app.workspace.git, limit=1)[0].event == "knowledge.update"


def test_unknown_dependency_is_refused_and_nothing_is_written(
    sqlite_app: App, tmp_path: Path
) -> None:
    before = _commits(sqlite_app)
    with pytest.raises(InputError, match="unknown page 'ghost'"):
        sqlite_app.knowledge.add(write_page(tmp_path, "b.md", page("b", depends=("ghost",))))
    assert not (sqlite_app.workspace.root / "knowledge/pages/b.md").exists()
    assert _commits(sqlite_app) == before


def test_a_cycle_is_refused_with_the_cycle_named(sqlite_app: App, tmp_path: Path, cli) -> None:
    kb = sqlite_app.knowledge
    kb.add(write_page(tmp_path, "a.md", page("a")))
    kb.add(write_page(tmp_path, "b.md", page("b", depends=("a",))))
    kb.add(write_page(tmp_path, "c.md", page("c", depends=("b",))))
    original = (sqlite_app.workspace.root / "knowledge/pages/a.md").read_text()
    result = cli(
        "knowledge",
        "add",
        "--update",
        str(write_page(tmp_path, "a2.md", page("a", depends=("c",)))),
    )
    assert result.code == 1
    assert "dependsOn cycle: a -> c -> b -> a" in result.err.replace("\n", " ")
    assert (sqlite_app.workspace.root / "knowledge/pages/a.md").read_text() == original
    graph = json.loads(cli("knowledge", "graph", "b", "--json").out)
    assert {(e["from"], e["to"]) for e in graph["edges"]} == {("b", "a"), ("c", "b")}
    assert graph["cycle"] is None


def test_find_cycle_on_a_long_chain_does_not_recurse() -> None:
    edges = {f"p{i}": [f"p{i + 1}"] for i in range(5000)}
    edges["p5000"] = ["p0"]
    cycle = find_cycle(edges)
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 5002
    edges["p5000"] = []
    assert find_cycle(edges) is None


def test_source_pages_enter_evidence_only_and_people_promote_them(
    sqlite_app: App, tmp_path: Path
) -> None:
    kb = sqlite_app.knowledge
    with pytest.raises(InputError, match="evidence-only"):
        kb.add(write_page(tmp_path, "s.md", page("s", kind="source", extra="review: verified\n")))
    kb.add(write_page(tmp_path, "s.md", page("s", kind="source", extra="review: evidence-only\n")))
    with pytest.raises(InputError, match="verified locally"):
        kb.review("s", status="reviewed", note="")
    with pytest.raises(PermissionDenied):
        kb.review("s", status="reviewed", note="ran it", actor="agent:coder")
    reviewed = kb.review("s", status="reviewed", note="reproduced with httpx 0.28.1")
    assert reviewed.review == "reviewed" and reviewed.reviews[0].by == "user:user"
    assert read_log(sqlite_app.workspace.git, limit=1)[0].event == "knowledge.review"


def test_show_of_an_unknown_page_is_a_clear_error(sqlite_app: App, cli) -> None:
    result = cli("knowledge", "show", "nope")
    assert result.code == 1 and "no knowledge page 'nope'" in result.err


def test_a_page_left_uncommitted_by_a_crash_is_recovered_on_start(sqlite_app: App) -> None:
    stray = sqlite_app.workspace.root / "knowledge/pages/stray.md"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text(page("stray"), "utf-8")
    commit = sqlite_app.recover()
    assert commit is not None
    entry = read_log(sqlite_app.workspace.git, limit=1)[0]
    assert entry.event == "recover" and "knowledge/pages/stray.md" in entry.trailers["Paths"]
