"""docs/providers.md documents every phase, provider kind, category and setting it relies on."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from researchos.providers.phases import PHASES
from researchos.providers.registry import BUILTIN_KINDS
from researchos.providers.validation import Category

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_phase_kind_and_category_is_documented() -> None:
    text = (DOCS / "providers.md").read_text("utf-8")
    missing = [f"`{name}`" for name in (*PHASES, *BUILTIN_KINDS) if f"`{name}`" not in text]
    missing += [f"`{c}`" for c in get_args(Category) if f"`{c}`" not in text]
    assert missing == []


def test_security_page_covers_the_secret_store() -> None:
    text = (DOCS / "security.md").read_text("utf-8")
    for needle in ("APP_MASTER_KEY", "240,000", "0600", "var/secrets/", "researchos secrets set"):
        assert needle in text
