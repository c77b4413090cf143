"""The provenance half of a freeze: what the manifest says, composed from the plan.

``FreezePlan`` is everything read and checked before a byte is written; the functions here
turn it, plus the entries of the members actually packed, into the signed manifest's
fields (MOCK flag and reasons, runs, seeds, code hashes, claims) and check every claim's
evidence against the bytes that were packed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from researchos import __version__
from researchos.artifacts.models import AraManifest, Claim
from researchos.errors import InputError
from researchos.package.archive import Source
from researchos.package.manifest import (
    AraInfo,
    ClaimSummary,
    CodeBlock,
    FileEntry,
    FreezeExtra,
    PackageManifest,
    RunRecord,
    Signer,
)
from researchos.package.signing import SigningKey
from researchos.package.versions import PackageNames


@dataclass(frozen=True)
class FreezePlan:
    """Everything the ZIP is built from, read and checked before anything is written."""

    ara: AraManifest
    claims: list[Claim]
    extra: FreezeExtra
    sources: list[Source]
    run_sources: dict[str, list[Source]]
    names: PackageNames
    created: datetime
    source_commit: str | None


def check_evidence(plan: FreezePlan, entries: Sequence[FileEntry]) -> None:
    """Every claim's evidence must be packed with the sha256 the claim recorded."""
    packed = {entry.path: entry.sha256 for entry in entries}
    for claim in plan.claims:
        for index, ref in enumerate(claim.evidence):
            actual = packed.get(ref.path)
            if actual != ref.sha256:
                found = f"is {actual[:12]}…" if actual else "is missing"
                raise InputError(
                    f"{ref.path} {found}, the claim records {ref.sha256[:12]}…",
                    file=f"ara/{plan.ara.slug}/claims/{claim.id}.yaml",
                    field=f"evidence.{index}.sha256",
                    fix="evidence is immutable: restore the file or re-record the evidence",
                )


def ara_info(plan: FreezePlan) -> AraInfo:
    ara = plan.ara
    return AraInfo(
        id=ara.id,
        slug=ara.slug,
        title=ara.title,
        status=ara.status,
        mode=ara.mode,
        authors=ara.authors or [ara.provenance.created_by],
        source_commit=plan.source_commit,
    )


def mock_reasons(plan: FreezePlan) -> list[str]:
    reasons = []
    if plan.ara.mode == "mock":
        reasons.append("ara.yaml mode is mock")
    if any(flag.upper() == "MOCK" for flag in plan.ara.flags):
        reasons.append("ara.yaml is flagged MOCK")
    reasons += [f"claim {c.id} is flagged MOCK" for c in plan.claims if is_mock(c)]
    if plan.extra.mock:
        reasons.append("the pipeline ran on the mock provider")
    return reasons


def is_mock(claim: Claim) -> bool:
    return any(flag.upper() == "MOCK" for flag in claim.flags)


def run_records(plan: FreezePlan) -> list[RunRecord]:
    """The pipeline's runs plus runs known only from claims' evidence references."""
    evidence_by_run: dict[str, set[str]] = {}
    for claim in plan.claims:
        for ref in claim.evidence:
            if ref.run_id:
                evidence_by_run.setdefault(ref.run_id, set()).add(ref.path)
    records = []
    for run in plan.extra.runs:
        fields = run.model_dump(exclude={"artifacts_dir"})
        artifacts = [s.name for s in plan.run_sources.get(run.id, [])]
        evidence = sorted(evidence_by_run.pop(run.id, set()))
        records.append(RunRecord(**fields, artifacts=artifacts, evidence=evidence))
    records += [RunRecord(id=rid, evidence=sorted(paths)) for rid, paths in evidence_by_run.items()]
    return sorted(records, key=lambda r: r.id)


def code_block(plan: FreezePlan, entries: Sequence[FileEntry]) -> CodeBlock:
    files = {e.path: e.sha256 for e in entries if e.role == "code"}
    lines = "".join(f"{path} {sha}\n" for path, sha in sorted(files.items()))
    tree = hashlib.sha256(lines.encode()).hexdigest() if files else None
    return CodeBlock(tree_sha256=tree, files=files, named=dict(plan.extra.code_hashes))


def compose_manifest(
    plan: FreezePlan,
    info: AraInfo,
    entries: Sequence[FileEntry],
    runs: Sequence[RunRecord],
    key: SigningKey,
) -> PackageManifest:
    reasons = mock_reasons(plan)
    seeds = {*plan.extra.seeds, *(r.seed for r in runs if r.seed is not None)}
    return PackageManifest(
        name=plan.names.name,
        version=plan.names.version,
        created=plan.created,
        generator=f"researchos {__version__}",
        ara=info,
        mock=bool(reasons),
        mock_reasons=reasons,
        model_policy=plan.extra.model_policy,
        routing=[*plan.ara.provenance.routing, *plan.extra.routing],
        code=code_block(plan, entries),
        seeds=sorted(seeds),
        run_ids=[r.id for r in runs],
        runs=list(runs),
        claims=[
            ClaimSummary(id=c.id, kind=c.kind, status=c.status, mock=is_mock(c))
            for c in plan.claims
        ],
        project=plan.extra.project or plan.ara.provenance.project,
        review=plan.extra.review,
        license=plan.extra.license,
        signer=Signer(public_key=key.public.hex, fingerprint=key.public.fingerprint),
        files=list(entries),
    )
