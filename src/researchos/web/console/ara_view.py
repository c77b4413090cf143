"""What the ARA pages show, gathered from AraService: figures, evidence files and their
integrity, the exploration tree as nested nodes, a file prepared for viewing."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from researchos.artifacts.models import Claim, ExplorationNode, ExplorationTree
from researchos.files import iter_files, safe_relative, sha256_file
from researchos.web.console.markup import Links, render_markdown

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
TEXT_SUFFIXES = (
    ".txt", ".log", ".md", ".json", ".jsonl", ".csv", ".tsv", ".yaml", ".yml", ".py", ".sh",
    ".toml", ".cfg", ".ini", ".lock", ".r", ".tex", ".bib", ".err", ".out", ".html", ".xml",
)  # fmt: skip
MAX_SHOWN = 512 << 10


def figures(ros: Any, slug: str) -> list[str]:
    """Image files under evidence/figures/, relative to the ARA root."""
    root = ros.aras.paths(slug).root
    directory = root / "evidence" / "figures"
    if not directory.is_dir():
        return []
    return sorted(
        p.relative_to(root).as_posix()
        for p in iter_files(directory)
        if p.suffix.lower() in IMAGE_SUFFIXES
    )


def evidence_files(ros: Any, slug: str) -> list[tuple[str, int]]:
    root = ros.aras.paths(slug).root
    directory = root / "evidence"
    if not directory.is_dir():
        return []
    return [
        (p.relative_to(root).as_posix(), p.stat().st_size)
        for p in iter_files(directory)
        if p.name != ".gitkeep"
    ]


def integrity(root: Path, path: str, sha256: str) -> str:
    """'matches', 'changed' or 'missing': the file today against the recorded sha256."""
    try:
        target = safe_relative(root, path, field="path")
    except Exception:
        return "missing"
    if not target.is_file():
        return "missing"
    return "matches" if sha256_file(target) == sha256 else "changed"


def citing(claims: list[Claim], path: str) -> list[Claim]:
    return [c for c in claims if any(ref.path == path for ref in c.evidence)]


@dataclass
class TreeNode:
    node: ExplorationNode
    children: list[TreeNode] = field(default_factory=list)


def tree(exploration: ExplorationTree) -> list[TreeNode]:
    wrapped = {n.id: TreeNode(n) for n in exploration.nodes}
    roots: list[TreeNode] = []
    for item in wrapped.values():
        parent = wrapped.get(item.node.parent) if item.node.parent else None
        (parent.children if parent else roots).append(item)
    return roots


@dataclass(frozen=True)
class FileView:
    path: str
    size: int
    kind: str  # image, markdown, text, binary
    text: str | None = None
    html: str | None = None
    truncated: bool = False


def view_file(root: Path, path: str, links: Callable[[str], Links]) -> FileView:
    """``path`` under ``root`` prepared for a page; ``links(base_dir)`` says where a
    markdown file's links point."""
    target = safe_relative(root, path, field="path")
    size = target.stat().st_size
    suffix = target.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return FileView(path, size, "image")
    if suffix not in TEXT_SUFFIXES:
        return FileView(path, size, "binary")
    with target.open("rb") as handle:
        data = handle.read(MAX_SHOWN)
    text = data.decode("utf-8", errors="replace")
    if suffix == ".md":
        base = posixpath.dirname(path) or "."
        html = render_markdown(text, links(base))
        return FileView(path, size, "markdown", html=html, truncated=size > MAX_SHOWN)
    return FileView(path, size, "text", text=text, truncated=size > MAX_SHOWN)
