"""The knowledge base as plain functions: what the CLI prints and the MCP server wraps.

Each function takes the ``KnowledgeBase`` first and keyword arguments after, and returns
JSON-safe data (or the ``AgentWorkContext`` model). Errors are ResearchOSError subclasses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from researchos.errors import InputError, NotFound
from researchos.history.commits import parse_message
from researchos.history.git import Git
from researchos.knowledge import dependencies
from researchos.knowledge.alignment import align_all, parse_mentions
from researchos.knowledge.brief import build_work_brief
from researchos.knowledge.duplicates import find_duplicates
from researchos.knowledge.graph import dependents, find_cycle
from researchos.knowledge.issues import issue_page, merge_issue, parse_issues, snapshot_path
from researchos.knowledge.page import PAGE_KINDS
from researchos.knowledge.retrieval import Mode
from researchos.knowledge.service import KnowledgeBase, WriteReport
from researchos.knowledge.stale import find_stale, source_checks, stale_reasons
from researchos.store import knowledge as store

__all__ = [
    "build_work_brief",
    "check_issue_version_alignment",
    "dependency_graph",
    "duplicate_pages",
    "ingest_issues",
    "page_provenance",
    "resolve_dependencies",
    "search_knowledge",
    "stale_pages",
]
_SEP, _END = "\x1f", "\x1e"


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in PAGE_KINDS:
        raise InputError(
            f"unknown page kind {kind!r}", field="kind", fix=f"use one of: {', '.join(PAGE_KINDS)}"
        )


def search_knowledge(
    kb: KnowledgeBase,
    *,
    query: str,
    limit: int = 10,
    kind: str | None = None,
    mode: Mode = "hybrid",
) -> dict[str, Any]:
    """Hybrid search; each hit carries the page's kind, title, review status and summary."""
    _check_kind(kind)
    result = kb.retriever.search(query, limit=limit, kinds=[kind] if kind else None, mode=mode)
    with kb.database.session() as session:
        records = {
            r.page_id: r
            for r in store.fetch(
                session, page_ids=[h.page_id for h in result.hits], with_body=False
            )
        }
    hits = []
    for hit in result.hits:
        record = records.get(hit.page_id)
        if record is not None:
            hits.append(
                {
                    **hit.to_dict(),
                    "kind": record.kind,
                    "title": record.title,
                    "review": record.review,
                    "summary": record.summary,
                    "path": record.path,
                }
            )
    return {"query": query, "mode": result.mode, "notice": result.notice, "hits": hits}


def page_history(git: Git, path: str) -> list[dict[str, Any]]:
    """The semantic commits that touched one page file, newest first."""
    if git.head() is None:
        return []
    out = git.run("log", f"--format=%H{_SEP}%aI{_SEP}%B{_END}", "--", path).stdout
    entries = []
    for record in filter(None, (r.strip("\n") for r in out.split(_END))):
        commit, date, body = record.split(_SEP, 2)
        entry = parse_message(commit, date, body)
        entries.append(
            {
                "commit": entry.commit,
                "date": entry.date,
                "event": entry.event,
                "summary": entry.summary,
                "actor": entry.actor,
            }
        )
    return entries


def page_provenance(kb: KnowledgeBase, *, page_id: str) -> dict[str, Any]:
    """Where a page comes from: generator, sources with their sha256 status, reviews, history."""
    page = kb.get(page_id)
    path = kb.files.display(kb.files.path(page_id))
    finding = stale_reasons(kb.workspace.root, page, max_age_days=kb.settings.stale_days)
    return {
        "page_id": page.id,
        "path": path,
        "kind": page.kind,
        "review": page.review,
        "provenance": page.provenance.model_dump(mode="json", exclude_none=True),
        "sources": [c.to_dict() for c in source_checks(kb.workspace.root, page)],
        "reviews": [r.model_dump(mode="json") for r in page.reviews],
        "history": page_history(kb.workspace.git, path),
        "stale": finding.reasons if finding else [],
    }


def dependency_graph(kb: KnowledgeBase, *, page_id: str | None = None) -> dict[str, Any]:
    """The dependsOn graph (from the index): whole, or around one page."""
    with kb.database.session() as session:
        edges = store.all_edges(session)
        if page_id is not None and page_id not in edges:
            raise NotFound(
                f"no knowledge page {page_id!r} in the index",
                fix="see `researchos knowledge search`",
            )
        if page_id is None:
            keep = set(edges)
        else:
            keep = {page_id, *_reachable(edges, page_id), *dependents(edges, page_id)}
        info = {r.page_id: r for r in store.fetch(session, page_ids=sorted(keep), with_body=False)}
    nodes = [
        {"id": p, "kind": info[p].kind, "title": info[p].title, "review": info[p].review}
        for p in sorted(keep)
        if p in info
    ]
    pairs = [(a, b) for a in sorted(keep) for b in edges.get(a, []) if b in keep or a == page_id]
    missing = [(a, b) for a in sorted(keep) for b in edges.get(a, []) if b not in edges]
    return {
        "root": page_id,
        "nodes": nodes,
        "edges": [{"from": a, "to": b} for a, b in pairs],
        "missing": [{"from": a, "to": b} for a, b in missing],
        "cycle": find_cycle({k: edges[k] for k in keep if k in edges}),
    }


def _reachable(edges: Mapping[str, Sequence[str]], start: str) -> list[str]:
    seen, frontier = {start}, [start]
    while frontier:
        frontier = [d for node in frontier for d in edges.get(node, []) if d not in seen]
        seen.update(frontier)
    return sorted(seen - {start})


def resolve_dependencies(
    kb: KnowledgeBase, *, repo: Path | None = None, libraries: Sequence[str] = ()
) -> dict[str, Any]:
    """The project's packages and every page about them, with whether its range applies."""
    return dependencies.resolve_dependencies(kb.database, repo=repo, libraries=libraries).to_dict()


def check_issue_version_alignment(
    kb: KnowledgeBase, *, page_id: str, local_versions: Mapping[str, str]
) -> dict[str, Any]:
    """Whether the versions an issue page is about match the local ones (match/mismatch/unknown)."""
    if not local_versions:
        raise InputError(
            "give at least one local version",
            field="local_versions",
            fix="--local-version httpx=0.28.1",
        )
    page = kb.get(page_id)
    if page.issue is not None:
        mentions = page.issue.versions
        default = page.issue.repo.split("/")[-1]
    else:
        default = next(iter(local_versions))
        mentions = parse_mentions(
            f"{page.title}\n{page.body}", page.tags, package=default, known=local_versions
        )
    results = align_all(local_versions, mentions)
    verdicts = {r.verdict for r in results}
    overall = (
        "mismatch" if "mismatch" in verdicts else "match" if "match" in verdicts else "unknown"
    )
    return {
        "page_id": page.id,
        "review": page.review,
        "overall": overall,
        "packages": [r.to_dict() for r in results],
    }


def stale_pages(kb: KnowledgeBase, *, max_age_days: int | None = None) -> list[dict[str, Any]]:
    days = kb.settings.stale_days if max_age_days is None else max_age_days
    return [f.to_dict() for f in find_stale(kb.workspace.root, kb.pages(), max_age_days=days)]


def duplicate_pages(kb: KnowledgeBase, *, threshold: float | None = None) -> list[dict[str, Any]]:
    limit = kb.settings.duplicate_threshold if threshold is None else threshold
    if not 0.0 < limit <= 1.0:
        raise InputError("threshold must be in (0, 1]", field="threshold")
    texts = ((p.id, f"{p.title}\n{p.body}") for p in kb.pages())
    return [pair.to_dict() for pair in find_duplicates(texts, threshold=limit)]


def ingest_issues(
    kb: KnowledgeBase,
    *,
    repo: str,
    raw: bytes,
    display: str,
    package: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Store the snapshot and write one evidence-only source page per valid issue (one commit)."""
    issues = parse_issues(raw, repo=repo, display=display)
    package = package or issues.repo.split("/")[1]
    # the same issue twice in one file: the later copy wins
    by_id = {
        page.id: page for page in (issue_page(issues, i, package=package) for i in issues.items)
    }
    pages = list(by_id.values())
    snapshot = kb.workspace.root / snapshot_path(issues.repo, issues.sha256)
    report: WriteReport = kb.write_pages(
        pages,
        event="issues.ingest",
        summary=f"ingest {len(pages)} issue(s) of {issues.repo}",
        actor=actor,
        extra_files={snapshot: issues.raw},
        merge=merge_issue,
    )
    return {
        **report.to_dict(),
        "repo": issues.repo,
        "snapshot": snapshot_path(issues.repo, issues.sha256),
        "sha256": issues.sha256,
        "skipped": [*issues.skipped, *report.skipped],
    }
