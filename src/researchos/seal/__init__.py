"""Seal: three levels of automatic checks before a person signs an ARA off.

    report = app.seal.seal("my-ara")             # L1 structure, L2 rigour, L3 reproduction
    report = app.seal.seal("my-ara", levels=[1])
    review = review_pair(app, claim_a, claim_b)  # dual-model review of a contradiction

Checks are registered with ``@seal_check(level)`` (see ``registry``); results go into
``ara.yaml`` (``seal: {l1, l2, l3}``), ``views/review-packet.md`` and the store. See
docs/seal.md.
"""

from researchos.seal.pair import PairReview, PairVerdict, review_pair
from researchos.seal.registry import Finding, SealCheck, all_checks, checks_for, seal_check
from researchos.seal.service import LevelResult, SealReport, SealService

__all__ = [
    "Finding",
    "LevelResult",
    "PairReview",
    "PairVerdict",
    "SealCheck",
    "SealReport",
    "SealService",
    "all_checks",
    "checks_for",
    "review_pair",
    "seal_check",
]
