"""Drafts: views/paper.md compiled from an ARA, and the deterministic alignment pass.

Prose may cite only existing claims (``[claim:<id>]``) and may state only the numbers of the
claims it cites; ``check_alignment`` returns typed issues (unknown id -> P0, unsupported
number -> P1). Rules in docs/analysis.md.
"""

from researchos.drafts.alignment import AlignmentIssue, blocking, check_alignment
from researchos.drafts.paper import PAPER_PATH, AraSnapshot, render_paper
from researchos.drafts.view import ViewResult, check_file, compile_view

__all__ = [
    "PAPER_PATH",
    "AlignmentIssue",
    "AraSnapshot",
    "ViewResult",
    "blocking",
    "check_alignment",
    "check_file",
    "compile_view",
    "render_paper",
]
