"""The knowledge base: page files (the truth) plus their rebuildable index in the store.

Every write runs inside ``content_change`` (git lock, atomic writes, rollback) and becomes one
semantic commit (``knowledge.add``, ``knowledge.update``, ``knowledge.review``,
``knowledge.sync``, ``issues.ingest``); the index and the audit trail are refreshed after the
commit. ``researchos reindex`` rebuilds the index from the files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from researchos.errors import Conflict, InputError, PermissionDenied
from researchos.files import read_text
from researchos.history.changes import ChangeSet, content_change
from researchos.history.commits import ChangeMeta
from researchos.knowledge.collection import PageFiles
from researchos.knowledge.dependencies import ResolutionCache
from researchos.knowledge.generate import generate_all
from researchos.knowledge.graph import check_graph
from researchos.knowledge.indexing import embedding_text, links_for, record_for
from researchos.knowledge.page import Page, ReviewRecord, parse_page, render_page
from researchos.knowledge.retrieval import Retriever
from researchos.store import audit, knowledge_search
from researchos.store import knowledge as store
from researchos.store.database import Database
from researchos.workspace.layout import Workspace

log = logging.getLogger(__name__)
INDEX_BATCH = 500
PROMOTED = ("reviewed", "verified")


@dataclass(frozen=True)
class KnowledgeSettings:
    stale_days: int = 180
    duplicate_threshold: float = 0.5
    token_budget: int = 4000


@dataclass(frozen=True)
class WriteReport:
    """What one write did: pages written or left alone, and the commit."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    commit: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "written": self.written,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "commit": self.commit,
        }


@dataclass(frozen=True)
class IndexReport:
    pages: int
    mode: str
    notice: str | None
    problems: list[str]

    def to_dict(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "mode": self.mode,
            "notice": self.notice,
            "problems": self.problems,
        }


class KnowledgeBase:
    def __init__(
        self,
        workspace: Workspace,
        database: Database,
        retriever: Retriever,
        *,
        actor: str,
        settings: KnowledgeSettings | None = None,
    ) -> None:
        self.workspace = workspace
        self.database = database
        self.retriever = retriever
        self.actor = actor
        self.settings = settings or KnowledgeSettings()
        self.files = PageFiles(workspace.root)
        self.resolutions = ResolutionCache()

    # --- reading ---------------------------------------------------------------------------

    def get(self, page_id: str) -> Page:
        return self.files.load(page_id)

    def pages(self) -> list[Page]:
        return self.files.load_all().pages

    def edges(self) -> dict[str, list[str]]:
        """The dependsOn graph from the files (invalid files are left out)."""
        return {page.id: list(page.depends_on) for page in self.pages()}

    # --- writing ---------------------------------------------------------------------------

    def _meta(self, event: str, summary: str, actor: str | None) -> ChangeMeta:
        return ChangeMeta(
            event=event, scope="knowledge", summary=summary, actor=actor or self.actor
        )

    def add(self, source: Path, *, update: bool = False, actor: str | None = None) -> Page:
        """Validate a page file and copy it into the workspace (``--update`` replaces)."""
        display = str(source)
        page = parse_page(read_text(source, display=display), display=display)
        if page.kind == "source" and page.review != "evidence-only":
            raise InputError(
                f"a source page enters as evidence-only, not {page.review}",
                file=display,
                field="review",
                fix="set review: evidence-only; promote it later with `researchos knowledge "
                "review` after local verification",
            )
        event = "knowledge.update" if update else "knowledge.add"
        meta = self._meta(event, f"{'update' if update else 'add'} page {page.id}", actor)
        with content_change(self.workspace.root, self.workspace.var_dir, meta) as cs:
            exists = self.files.exists(page.id)
            if exists and not update:
                raise Conflict(
                    f"knowledge page {page.id!r} already exists",
                    fix="pass --update to replace it, or choose another id",
                )
            if exists:
                current = self.get(page.id)
                page = page.model_copy(
                    update={"created": current.created, "reviews": current.reviews}
                )
            if page.provenance.added_by is None:
                provenance = page.provenance.model_copy(update={"added_by": meta.actor})
                page = page.model_copy(update={"provenance": provenance})
            self._check_edges({page.id: page}, display=display)
            cs.write_bytes(self.files.path(page.id), render_page(page))
            cs.describe(f"{'update' if exists else 'add'} {page.kind} page {page.id}", Page=page.id)
        self._after(cs, [page])
        return page

    def review(self, page_id: str, *, status: str, note: str, actor: str | None = None) -> Page:
        """A human moves a page's review status; source pages need a note on local checks."""
        actor = actor or self.actor
        if not actor.startswith("user:"):
            raise PermissionDenied(
                f"{actor} may not review knowledge pages", fix="reviews are made by a person"
            )
        meta = self._meta("knowledge.review", f"review page {page_id}: {status}", actor)
        with content_change(self.workspace.root, self.workspace.var_dir, meta) as cs:
            page = self.get(page_id)
            if page.kind == "source" and status in PROMOTED and not note.strip():
                raise InputError(
                    "promoting a source page needs a note on how it was verified locally",
                    field="--note",
                    fix='pass --note "reproduced with httpx 0.28.1 in tests/test_x.py"',
                )
            record = ReviewRecord.model_validate({"by": actor, "status": status, "note": note})
            page = page.model_copy(
                update={"review": record.status, "reviews": [*page.reviews, record]}
            )
            cs.write_bytes(self.files.path(page.id), render_page(page))
            cs.describe(f"{page.id}: review -> {status}", Page=page.id)
        self._after(cs, [page])
        return page

    def write_pages(
        self,
        pages: Sequence[Page],
        *,
        event: str,
        summary: str,
        actor: str | None = None,
        extra_files: Mapping[Path, bytes] | None = None,
        merge: Callable[[Page, Page], Page | None] | None = None,
    ) -> WriteReport:
        """Write many pages (and files such as snapshots) as one semantic commit.

        ``merge(current, new)`` decides what to write over an existing page: a page, or None
        to leave it alone. Pages whose text would not change are not rewritten.
        """
        written: list[Page] = []
        unchanged: list[str] = []
        skipped: list[str] = []
        meta = self._meta(event, summary, actor)
        with content_change(self.workspace.root, self.workspace.var_dir, meta) as cs:
            for path, data in (extra_files or {}).items():
                if not path.exists():
                    cs.write_bytes(path, data)
            for page in pages:
                target = self._merged(page, merge, skipped)
                if target is None:
                    continue
                text = render_page(target)
                path = self.files.path(target.id)
                if path.is_file() and path.read_text("utf-8") == text:
                    unchanged.append(target.id)
                    continue
                written.append(target)
            self._check_edges({p.id: p for p in written}, display="knowledge/pages/")
            for page in written:
                cs.write_bytes(self.files.path(page.id), render_page(page))
            cs.describe(f"{summary} ({len(written)} written, {len(unchanged)} unchanged)")
        self._after(cs, written)
        ids = [p.id for p in written]
        return WriteReport(ids, unchanged, skipped, cs.commit)

    def _merged(
        self, page: Page, merge: Callable[[Page, Page], Page | None] | None, skipped: list[str]
    ) -> Page | None:
        if merge is None or not self.files.exists(page.id):
            return page
        try:
            current = self.get(page.id)
        except InputError as exc:
            skipped.append(f"{page.id}: existing file is invalid ({exc})")
            return None
        merged = merge(current, page)
        if merged is None:
            skipped.append(f"{page.id}: kept the existing page (not generated here)")
        return merged

    def _check_edges(self, changed: Mapping[str, Page], *, display: str) -> None:
        edges = self.edges()
        edges.update({page_id: list(page.depends_on) for page_id, page in changed.items()})
        check_graph(edges, display=display)

    def sync(self, *, actor: str | None = None) -> WriteReport:
        """Generate or refresh claim and failure pages from every ARA (one commit)."""
        generated, problems = generate_all(self.workspace.ara_dir)
        report = self.write_pages(
            [g.page for g in generated],
            event="knowledge.sync",
            summary=f"sync pages from {len({g.page.provenance.ara for g in generated})} ARA(s)",
            actor=actor,
            merge=_merge_generated,
        )
        return WriteReport(
            report.written, report.unchanged, [*report.skipped, *problems], report.commit
        )

    # --- the index -------------------------------------------------------------------------

    def _put(self, session: object, pages: Sequence[Page], *, bulk: bool = False) -> None:
        vectors, model = self.retriever.embed([embedding_text(p) for p in pages])
        records = [
            record_for(p, path=self.files.display(self.files.path(p.id)), embedding=v, model=model)
            for p, v in zip(pages, vectors, strict=True)
        ]
        links = [link for p in pages for link in links_for(p)]
        store.put_pages(session, records=records, links=links, bulk=bulk)  # type: ignore[arg-type]

    def _after(self, cs: ChangeSet, pages: Sequence[Page]) -> None:
        """Refresh the index and the audit trail once the commit stands."""
        if cs.commit is None:
            return
        try:
            with self.database.session() as session:
                for start in range(0, len(pages), INDEX_BATCH):
                    self._put(session, pages[start : start + INDEX_BATCH])
                audit.record(
                    session,
                    actor=cs.meta.actor,
                    action=cs.meta.event,
                    target="knowledge",
                    payload={"summary": cs.meta.summary, "commit": cs.commit, "pages": len(pages)},
                )
        except Exception:  # the commit stands; `researchos reindex` repairs the index
            log.exception(
                "knowledge index update after %s failed; run `researchos reindex`", cs.commit
            )

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> IndexReport:
        """Drop and rebuild the knowledge index from the page files (the files win)."""
        loaded = self.files.load_all()
        problems = list(loaded.problems)
        try:
            check_graph({p.id: list(p.depends_on) for p in loaded.pages})
        except InputError as exc:
            problems.append(str(exc))
        self.rebuild_index(loaded.pages, progress=progress)
        mode = "hybrid" if self.retriever.embedder is not None else "bm25"
        return IndexReport(len(loaded.pages), mode, self.retriever.choice.notice, problems)

    def rebuild_index(
        self, pages: Sequence[Page], *, progress: Callable[[int, int], None] | None = None
    ) -> None:
        """Replace the whole index with ``pages`` in one transaction (vector index last), then let
        PostgreSQL vacuum the new rows."""
        pages = list({page.id: page for page in pages}.values())  # a bulk load needs new ids
        with self.database.session() as session:
            store.clear(session)
            for start in range(0, len(pages), INDEX_BATCH):
                self._put(session, pages[start : start + INDEX_BATCH], bulk=True)
                if progress:
                    progress(min(start + INDEX_BATCH, len(pages)), len(pages))
            store.end_bulk_load(session)
            self.retriever.after_bulk_load(session)
        knowledge_search.settle_after_bulk_load(self.database)


def _merge_generated(current: Page, new: Page) -> Page | None:
    """Refresh a generated page; keep human reviews while the source file is unchanged."""
    if current.provenance.generator != "ara-sync":
        return None
    update: dict[str, object] = {"reviews": current.reviews}
    if current.provenance.sha256 == new.provenance.sha256 and current.reviews:
        update["review"] = current.review
    return new.model_copy(update=update)
