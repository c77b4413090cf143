"""Seal L2, rigour: two independent reviewers, and the retraction cross-check.

Which claims reach ``verified`` is decided in ``promotion.py`` from what these checks leave in
``ctx.details``; the checks themselves only report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from researchos.artifacts.models import Claim
from researchos.errors import InputError
from researchos.files import load_yaml
from researchos.seal.context import SealContext
from researchos.seal.registry import Finding, seal_check
from researchos.seal.review import ClaimVerdicts, review_claims

NOT_REVIEWED = {"withdrawn", "retracted"}
RETRACTED_DIR = "research-landscape/retracted"
SIMILAR = 0.8
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


def reviewable(ctx: SealContext) -> list[Claim]:
    return [c for c in ctx.claims.values() if c.status not in NOT_REVIEWED]


@seal_check(2, name="l2.dual_review")
def dual_review(ctx: SealContext) -> Iterator[Finding]:
    """Two independent model reviews per claim: support verdict, confidence, contradictions."""
    claims = reviewable(ctx)
    verdicts, routing = review_claims(
        ctx.app.router, ctx.slug, ctx.paths.root, claims, ctx.policy.confidence_floor
    )
    ctx.details["reviews"] = {v.claim_id: v for v in verdicts}
    ctx.details["routing"] = routing
    for item in verdicts:
        yield from _review_findings(ctx, item)


def _review_findings(ctx: SealContext, item: ClaimVerdicts) -> Iterator[Finding]:
    name = ctx.display(f"claims/{item.claim_id}.yaml")
    for label, review in (("first", item.first), ("second", item.second)):
        if review.verdict == "contradicted":
            flags = ", ".join(review.contradiction_flags) or "no flag given"
            yield Finding(
                "l2.dual_review",
                name,
                "numbers"
                if any("number" in f for f in review.contradiction_flags)
                else "statement",
                f"the {label} reviewer finds the claim contradicted by its evidence ({flags}): "
                f"{review.rationale}",
            )
    if item.first.verdict == item.second.verdict == "unsupported":
        yield Finding(
            "l2.dual_review",
            name,
            "evidence",
            f"both reviewers find the claim unsupported: {item.first.rationale}",
        )
    if item.disagree:
        yield Finding(
            "l2.dual_review",
            name,
            None,
            f"the reviewers disagree: {item.disagreement_reason()}",
            severity="warning",
        )


# --- retraction cross-check ------------------------------------------------------------------


@dataclass(frozen=True)
class Retracted:
    path: str
    statement: str
    conditions: dict[str, Any]
    source_ara: str | None
    source_claim: str | None
    reason: str | None


def load_retracted(root: Path) -> tuple[list[Retracted], list[Finding]]:
    """Every entry under research-landscape/retracted/ (unreadable ones become warnings)."""
    base = root / RETRACTED_DIR
    entries: list[Retracted] = []
    problems: list[Finding] = []
    if not base.is_dir():
        return entries, problems
    for path in sorted([*base.rglob("*.yaml"), *base.rglob("*.yml")]):
        display = path.relative_to(root).as_posix()
        try:
            data = load_yaml(path, display=display)
        except InputError as exc:
            problems.append(Finding("l2.retraction", display, exc.field, exc.problem, "warning"))
            continue
        if not isinstance(data, dict) or not isinstance(data.get("statement"), str):
            problems.append(
                Finding("l2.retraction", display, "statement", "no statement to compare", "warning")
            )
            continue
        source = _mapping(data.get("source"))
        retraction = _mapping(data.get("retraction"))
        entries.append(
            Retracted(
                display,
                data["statement"],
                _mapping(data.get("conditions")),
                source.get("ara"),
                source.get("claim"),
                retraction.get("reason") or data.get("reason"),
            )
        )
    return entries, problems


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def similarity(a: str, b: str) -> float:
    left, right = words(a), words(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def conditions_agree(claim: dict[str, Any], entry: dict[str, Any]) -> bool:
    """Every condition both name has the same value (compared as text, case-insensitive)."""
    shared = set(claim) & set(entry)
    return all(str(claim[k]).lower() == str(entry[k]).lower() for k in shared)


def matches(claim: Claim, slug: str, entry: Retracted) -> str | None:
    """Why ``claim`` is the retracted result ``entry``, or None."""
    if entry.source_ara == slug and entry.source_claim == claim.id:
        return "it is the retracted entry's source claim"
    if not conditions_agree(claim.conditions, entry.conditions):
        return None
    score = similarity(claim.statement, entry.statement)
    shared = set(claim.conditions) & set(entry.conditions)
    if score >= SIMILAR and (shared or not entry.conditions):
        return f"the statements match ({score:.0%} of words) under the same conditions"
    return None


@seal_check(2, name="l2.retraction")
def retraction(ctx: SealContext) -> Iterator[Finding]:
    """No claim restates a result the research landscape has retracted."""
    entries, problems = load_retracted(ctx.app.workspace.root)
    yield from problems
    flagged: dict[str, str] = {}
    for claim in reviewable(ctx):
        for entry in entries:
            why = matches(claim, ctx.slug, entry)
            if why:
                flagged[claim.id] = entry.path
                reason = f" (retracted: {entry.reason})" if entry.reason else ""
                yield Finding(
                    "l2.retraction",
                    ctx.display(f"claims/{claim.id}.yaml"),
                    "statement",
                    f"matches the retracted result {entry.path}{reason}: {why}; "
                    "a retracted claim can never be re-promoted",
                )
                break
    ctx.details["retracted"] = flagged
