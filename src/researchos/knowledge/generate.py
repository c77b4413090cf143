"""Pages generated from ARAs: one ``claim`` page per claim, one ``failure`` page per failure trace.

Generation is deterministic (dates come from the source files), so a sync that finds nothing
new writes nothing. Each page's provenance points at the ARA file and its sha256.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from researchos.artifacts.models import Claim, EvidenceRef, FailureTrace
from researchos.artifacts.reader import (
    AraPaths,
    load_claim,
    load_manifest,
    load_trace,
    trace_ids,
)
from researchos.errors import InputError
from researchos.files import sha256_file
from researchos.knowledge.page import Page, page_from_fields

CLAIM_REVIEW = {"verified": "verified"}  # every other claim status is a draft until reviewed


@dataclass(frozen=True)
class Generated:
    page: Page
    source_path: str


def page_id_for(slug: str, item_id: str) -> str:
    """``<ara-slug>.<item id>``: dots never occur in slugs, so these ids cannot clash."""
    return f"{slug}.{item_id.lower()}"


def _evidence_sources(slug: str, evidence: list[EvidenceRef]) -> list[dict[str, Any]]:
    return [
        {
            "ref": f"ara/{slug}/{ref.path}",
            "kind": "file",
            "sha256": ref.sha256,
            **({"locator": ref.locator[:200]} if ref.locator else {}),
        }
        for ref in evidence
    ]


def _origin(paths: AraPaths, file: str, item: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    path = paths.root / file
    rel = f"ara/{paths.slug}/{file}"
    digest = sha256_file(path)
    provenance = {
        "generator": "ara-sync",
        "ara": paths.slug,
        "item": item,
        "path": rel,
        "sha256": digest,
    }
    return rel, provenance, {"ref": rel, "kind": "ara", "sha256": digest}


def claim_page(paths: AraPaths, claim: Claim) -> Generated:
    rel, provenance, source = _origin(paths, f"claims/{claim.id}.yaml", claim.id)
    lines = [claim.statement, "", f"- status: {claim.status}", f"- kind: {claim.kind}"]
    if claim.conditions:
        conditions = ", ".join(f"{k}={v}" for k, v in claim.conditions.items())
        lines.append(f"- conditions: {conditions}")
    for number in claim.numbers:
        ci = f" [{number.ci_low}, {number.ci_high}]" if number.ci_low is not None else ""
        lines.append(f"- {number.metric or 'value'}: {number.value}{ci} {number.unit or ''}")
    if claim.falsification:
        lines += ["", f"Falsified by: {claim.falsification}"]
    fields = {
        "id": page_id_for(paths.slug, claim.id),
        "kind": "claim",
        "title": " ".join(claim.statement.split())[:300],
        "review": CLAIM_REVIEW.get(claim.status, "draft"),
        "sources": [source, *_evidence_sources(paths.slug, claim.evidence)],
        "dependsOn": [page_id_for(paths.slug, dep) for dep in claim.dependencies],
        "tags": [*claim.tags, f"ara:{paths.slug}", f"status:{claim.status}"],
        "created": claim.created,
        "updated": claim.updated,
        "provenance": provenance,
        "body": "\n".join(lines).strip(),
    }
    return Generated(page_from_fields(fields, display=rel), rel)


def failure_page(paths: AraPaths, trace: FailureTrace) -> Generated:
    rel, provenance, source = _origin(paths, f"traces/failures/{trace.id}.yaml", trace.id)
    lines = [f"Tried: {trace.tried}", "", f"Why it failed: {trace.why_failed}"]
    if trace.hypothesis:
        lines += ["", f"Hypothesis: {trace.hypothesis}"]
    if trace.lesson:
        lines += ["", f"Lesson: {trace.lesson}"]
    lines += ["", f"- failure class: {trace.failure_class}"]
    lines.append(f"- cost: {trace.cost.time_s:g} s, {trace.cost.tokens} tokens")
    lines.append(f"- by: {trace.attribution.actor}")
    fields = {
        "id": page_id_for(paths.slug, trace.id),
        "kind": "failure",
        "title": " ".join(trace.title.split())[:300],
        "review": "draft",
        "sources": [source, *_evidence_sources(paths.slug, trace.evidence)],
        "tags": [*trace.tags, f"ara:{paths.slug}", trace.failure_class],
        "created": trace.attribution.date,
        "updated": trace.attribution.date,
        "discount_after": trace.discount_after,
        "provenance": provenance,
        "body": "\n".join(lines),
    }
    return Generated(page_from_fields(fields, display=rel), rel)


def pages_from_ara(paths: AraPaths) -> Iterator[Generated]:
    """Every page an ARA yields; raises InputError when one of its files is invalid."""
    manifest = load_manifest(paths)
    for claim_id in manifest.claims:
        yield claim_page(paths, load_claim(paths, claim_id))
    for trace_id in trace_ids(paths, "failure"):
        trace = load_trace(paths, "failure", trace_id)
        if isinstance(trace, FailureTrace):
            yield failure_page(paths, trace)


def generate_all(ara_dir: Path) -> tuple[list[Generated], list[str]]:
    """Pages from every ARA under ``ara_dir``; invalid ARAs are reported and skipped."""
    generated: list[Generated] = []
    problems: list[str] = []
    if not ara_dir.is_dir():
        return generated, problems
    for root in sorted(p for p in ara_dir.iterdir() if (p / "ara.yaml").is_file()):
        try:
            generated += list(pages_from_ara(AraPaths(root)))
        except InputError as exc:
            problems.append(f"{root.name}: {exc}")
    return generated, problems
