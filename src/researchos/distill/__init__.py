"""The session distiller (Live Research Manager): coding-session transcripts become ARAs.

``Distiller(app, limits).distill(path)`` parses a Claude Code or Codex CLI session, a Jupyter
notebook or plain text into events (deterministic, streaming), asks the ``distillation``
phase for claims, dead ends, decisions and checkpoints, keeps only items whose quotes are
really in the transcript, and writes them into a new or existing ARA in one commit.
``watch`` distils a directory queue. ``after_distill`` registers what runs after each
distillation (Seal L1). See docs/distill.md.
"""

from researchos.distill.service import (
    Distiller,
    DistillReport,
    after_distill,
    limits_for,
    remove_after_distill,
)
from researchos.distill.source import Limits

__all__ = [
    "DistillReport",
    "Distiller",
    "Limits",
    "after_distill",
    "limits_for",
    "remove_after_distill",
]
