"""Where pages live on disk: ``knowledge/pages/<id>.md`` (one file per page, the truth) and
``knowledge/snapshots/`` (source snapshots such as ingested issue JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from researchos.errors import InputError, NotFound
from researchos.files import read_text
from researchos.knowledge.page import Page, parse_page

KNOWLEDGE_DIR = "knowledge"
PAGES_DIR = f"{KNOWLEDGE_DIR}/pages"
SNAPSHOTS_DIR = f"{KNOWLEDGE_DIR}/snapshots"


@dataclass(frozen=True)
class LoadedPages:
    pages: list[Page]
    problems: list[str]


@dataclass(frozen=True)
class PageFiles:
    """The page files of one workspace."""

    root: Path

    @property
    def directory(self) -> Path:
        return self.root / PAGES_DIR

    @property
    def snapshots(self) -> Path:
        return self.root / SNAPSHOTS_DIR

    def path(self, page_id: str) -> Path:
        return self.directory / f"{page_id}.md"

    def display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def ids(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.md"))

    def exists(self, page_id: str) -> bool:
        return self.path(page_id).is_file()

    def load(self, page_id: str) -> Page:
        path = self.path(page_id)
        if not path.is_file():
            raise NotFound(
                f"no knowledge page {page_id!r}",
                fix="see `researchos knowledge search` or add it with `researchos knowledge add`",
            )
        display = self.display(path)
        page = parse_page(read_text(path, display=display), display=display)
        if page.id != page_id:
            raise InputError(
                f"id {page.id!r} does not match the file name",
                file=display,
                field="id",
                fix=f"set id: {page_id} or rename the file",
            )
        return page

    def load_all(self) -> LoadedPages:
        """Every valid page; invalid files are reported, not fatal (a rebuild must finish)."""
        pages: list[Page] = []
        problems: list[str] = []
        for page_id in self.ids():
            try:
                pages.append(self.load(page_id))
            except InputError as exc:
                problems.append(str(exc))
        return LoadedPages(pages, problems)
