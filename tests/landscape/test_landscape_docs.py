"""The published landscape format and the docs stay in step with the code."""

from __future__ import annotations

from pathlib import Path

from researchos.landscape.schema import landscape_format_markdown
from researchos.workspace.policies import LearningPolicy

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_landscape_format_page_is_current():
    page = (DOCS / "landscape-format.md").read_text("utf-8")
    assert page == landscape_format_markdown(), "run `researchos docs build`"


def test_docs_cover_the_rules_and_every_policy_key():
    landscape = (DOCS / "landscape.md").read_text("utf-8")
    for term in (
        "evidence_timeout",
        "refuted",
        "withdrawn",
        "manual",
        "ci_disjoint",
        "value_differs",
        "contradiction_check",
        "seal_l2_first",
        "seal_l2_second",
    ):
        assert term in landscape, term
    learning = (DOCS / "learning.md").read_text("utf-8")
    for key in LearningPolicy.model_fields:
        if key != "format_version":
            assert f"`{key}`" in learning, key
