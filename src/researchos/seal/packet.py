"""``views/review-packet.md``: what a person reads before signing off an ARA.

Deterministic Markdown from the seal's results: the levels, every claim with its evidence
and both reviewers' verdicts, the disagreements, the findings, and a checklist of what a
person must check by hand (nothing a model said is taken as settled there).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from researchos.artifacts.models import AraManifest, Claim
from researchos.seal.registry import LEVELS, Finding
from researchos.seal.review import ClaimVerdicts, is_tool_evidence

if TYPE_CHECKING:
    from researchos.seal.promotion import Decision
    from researchos.seal.service import LevelResult

MAX_FINDINGS = 50
MAX_CLAIMS = 200


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _levels(levels: Sequence[LevelResult], manifest: AraManifest) -> list[str]:
    lines = ["## Seal levels", "", "| level | result | when | summary |", "|---|---|---|---|"]
    current = {r.level: r for r in levels}
    for level, name in LEVELS.items():
        stored = getattr(manifest.seal, f"l{level}")
        if level in current and current[level].skipped:
            result, when, summary = "skipped", "", "an earlier level failed"
        elif stored is None:
            result, when, summary = "not run", "", ""
        else:
            result = "**passed**" if stored.passed else "**FAILED**"
            when, summary = stored.at.isoformat(), stored.summary
        lines.append(f"| L{level} {name} | {result} | {when} | {_cell(summary)} |")
    return [*lines, ""]


def _evidence_lines(claim: Claim) -> list[str]:
    if not claim.evidence:
        return ["- evidence: **none**"]
    out = []
    for ref in claim.evidence:
        tool = "tool" if is_tool_evidence(ref) else (ref.kind or "other")
        where = f" at `{ref.locator}`" if ref.locator else ""
        run = f", run {ref.run_id}" if ref.run_id else ""
        out.append(f"- evidence: `{ref.path}`{where} ({tool}{run}, sha256 {ref.sha256[:12]}…)")
    return out


def _claim_section(
    claim: Claim, verdicts: ClaimVerdicts | None, decision: Decision | None, held: str | None
) -> list[str]:
    lines = [f"### {claim.id} — {claim.status}", "", claim.statement, ""]
    for number in claim.numbers:
        ci = (
            f" [{number.ci_low:g}, {number.ci_high:g}]"
            if number.ci_low is not None and number.ci_high is not None
            else ""
        )
        n = f", n={number.n}" if number.n is not None else ""
        lines.append(f"- number: {number.metric or 'value'} = {number.value:g}{ci}{n}")
    lines += _evidence_lines(claim)
    if verdicts is not None:
        for name, review in (("first", verdicts.first), ("second", verdicts.second)):
            flags = (
                f"; flags: {', '.join(review.contradiction_flags)}"
                if review.contradiction_flags
                else ""
            )
            said = f"{review.verdict} ({review.confidence:.2f}{flags})"
            lines.append(f"- {name} reviewer: {said} — {_cell(review.rationale)}")
    if decision is not None:
        if not decision.promote:
            what = f"not promoted — {'; '.join(decision.reasons)}"
        elif held:
            what = f"eligible for verified, held back: {held}"
        else:
            what = f"promoted to verified — {'; '.join(decision.reasons)}"
        lines.append(f"- promotion: {what}")
    return [*lines, ""]


def _first_claims(claims: Sequence[Claim], verdicts: dict[str, ClaimVerdicts]) -> list[Claim]:
    """At most MAX_CLAIMS sections: the claims the reviewers disagree on come first."""
    if len(claims) <= MAX_CLAIMS:
        return list(claims)
    split = [c for c in claims if (v := verdicts.get(c.id)) is not None and v.disagree]
    first = {c.id for c in split}
    rest = [c for c in claims if c.id not in first]
    return (split + rest)[:MAX_CLAIMS]


def _findings(levels: Sequence[LevelResult]) -> list[str]:
    lines = ["## Findings", ""]
    found = [(r.level, f) for r in levels for f in r.findings]
    if not found:
        return [*lines, "None.", ""]
    for level, finding in found[:MAX_FINDINGS]:
        lines.append(f"- L{level} {finding.severity}: {_cell(finding)}")
    if len(found) > MAX_FINDINGS:
        lines.append(f"- … and {len(found) - MAX_FINDINGS} more (see `researchos seal --json`)")
    return [*lines, ""]


def checklist(
    manifest: AraManifest,
    claims: Iterable[Claim],
    levels: Sequence[LevelResult],
    verdicts: dict[str, ClaimVerdicts],
    mock: bool,
) -> list[str]:
    """What a person must check: every point where the automatic checks cannot decide."""
    items = []
    if mock or manifest.mode == "mock":
        items.append("The reviewers were the deterministic MOCK: no model read these claims.")
    for claim in claims:
        item = verdicts.get(claim.id)
        if item is not None and item.disagree:
            items.append(f"{claim.id}: the reviewers disagree ({item.disagreement_reason()}).")
        if claim.evidence and not any(is_tool_evidence(r) for r in claim.evidence):
            items.append(f"{claim.id}: rests on quotes only (no run output): read the sources.")
        if "needs_human_review" in claim.flags:
            items.append(f"{claim.id}: flagged needs_human_review.")
    for result in levels:
        items += [f"L{result.level}: {f}" for f in result.findings if f.severity == "warning"][:10]
        if not result.passed and not result.skipped:
            items.append(f"L{result.level} failed: resolve its findings or explain them.")
    items.append("Read every claim's statement against its evidence; approve or send back.")
    return ["## What a person must check", "", *(f"- [ ] {_cell(i)}" for i in items), ""]


def render_packet(
    manifest: AraManifest,
    claims: Sequence[Claim],
    levels: Sequence[LevelResult],
    verdicts: dict[str, ClaimVerdicts],
    decisions: dict[str, Decision],
    *,
    promoted: set[str],
    held: str | None,
    mock: bool,
) -> str:
    header = [f"# Review packet: {manifest.title}", ""]
    if mock or manifest.mode == "mock":
        header += ["> **MOCK** — the L2 reviewers were the deterministic mock provider.", ""]
    header += [
        f"ARA `{manifest.slug}` · status **{manifest.status}** · mode {manifest.mode} · "
        f"{len(claims)} claim(s)",
        "",
    ]
    if promoted:
        header += [f"Promoted to verified by this seal: {', '.join(sorted(promoted))}.", ""]
    body = _levels(levels, manifest)
    body += ["## Claims and their evidence", ""]
    for claim in _first_claims(claims, verdicts):
        body += _claim_section(claim, verdicts.get(claim.id), decisions.get(claim.id), held)
    if len(claims) > MAX_CLAIMS:
        more = len(claims) - MAX_CLAIMS
        body += [f"… {more} more claim(s) in `claims/` (disagreements were shown first).", ""]
    disagreements = [v for v in verdicts.values() if v.disagree]
    body += ["## Reviewer disagreements", ""]
    body += [f"- {v.claim_id}: {v.disagreement_reason()}" for v in disagreements] or ["None."]
    body += [""]
    body += _findings(levels)
    body += checklist(manifest, claims, levels, verdicts, mock)
    return "\n".join(header + body).rstrip() + "\n"


def finding_strings(findings: Sequence[Finding], limit: int) -> list[str]:
    out = [str(f) for f in findings[:limit]]
    if len(findings) > limit:
        out.append(f"… and {len(findings) - limit} more (researchos seal --json lists them all)")
    return out


def as_json(value: Any) -> Any:
    """Details made JSON-safe (dataclasses, paths and records become plain data)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [as_json(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
