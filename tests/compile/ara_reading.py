"""Reading what a compile wrote into an ARA (for assertions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from researchos.app import App
from researchos.compile.text import normalize

DATA = Path(__file__).parent / "data"
REAL_PAPER = DATA / "wepml008.pdf"
ARXIV_HTML = DATA / "arxiv-sample.html"


def structure_of(app: App, slug: str) -> dict[str, Any]:
    return json.loads((app.aras.paths(slug).root / "evidence/raw/structure.json").read_text())


def ara_files(app: App, slug: str) -> dict[str, bytes]:
    root = app.aras.paths(slug).root
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def span_text(app: App, slug: str, path: str, locator: str) -> str:
    """The text a ``chars=a-b`` locator (or ``path#chars=a-b`` source) points at."""
    spec = locator.split("chars=", 1)[1]
    a, b = (int(x) for x in spec.split("-"))
    return (app.aras.paths(slug).root / path).read_text(encoding="utf-8")[a:b]


def normal(text: str) -> str:
    return normalize(text)
