"""``compile_view``: write views/paper.md through a semantic commit, then check its alignment."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from researchos.artifacts.service import AraService, Origin
from researchos.drafts.alignment import AlignmentIssue, check_alignment
from researchos.drafts.paper import PAPER_PATH, AraSnapshot, render_paper
from researchos.errors import InputError
from researchos.files import read_text


@dataclass(frozen=True)
class ViewResult:
    path: str  # ara/<slug>/views/paper.md
    changed: bool
    commit: str | None
    issues: list[AlignmentIssue] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "changed": self.changed,
            "commit": self.commit,
            "issues": [issue.to_dict() for issue in self.issues],
        }


def compile_view(service: AraService, slug: str, *, origin: Origin | None = None) -> ViewResult:
    """Render the paper; commit it as ``view.compile`` only when its text changed."""
    snapshot = AraSnapshot.load(service, slug)
    text = render_paper(snapshot)
    target = service.paths(slug).root / PAPER_PATH
    commit = None
    changed = not target.is_file() or target.read_text("utf-8") != text
    if changed:
        live = sum(1 for c in snapshot.claims if c.status not in ("withdrawn", "retracted"))
        commit = service.write_files(
            slug,
            {PAPER_PATH: text},
            event="view.compile",
            summary=f"compile {PAPER_PATH} from {live} claims",
            origin=origin,
        )
    issues = check_alignment(text, snapshot.claims)
    return ViewResult(f"ara/{slug}/{PAPER_PATH}", changed, commit, issues)


def check_file(service: AraService, slug: str, path: Path | None = None) -> list[AlignmentIssue]:
    """Alignment of ``path`` (default: the ARA's views/paper.md) against the ARA's claims."""
    target = path or service.paths(slug).root / PAPER_PATH
    if not target.is_file():
        raise InputError(
            "no such markdown file",
            file=str(path) if path else f"ara/{slug}/{PAPER_PATH}",
            fix=f"compile it with `researchos view {slug}` or pass --file",
        )
    return check_alignment(read_text(target), service.claims(slug))
