"""Whole-ARA validation: every file against the schema, then every cross-reference.

Problems are collected, not raised one by one, so ``researchos ara validate`` shows them all.
Large ARAs (thousands of claims) are parsed in parallel worker processes.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from researchos.artifacts.models import TRACE_DIRS, TRACE_TYPES, Claim, EvidenceRef
from researchos.artifacts.reader import (
    AraPaths,
    claim_file_ids,
    load_claim,
    load_exploration,
    load_manifest,
    load_trace,
    trace_ids,
)
from researchos.errors import InputError
from researchos.files import safe_relative, sha256_file

PARALLEL_THRESHOLD = 2000


@dataclass(frozen=True)
class Problem:
    file: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


@dataclass
class ValidationReport:
    slug: str
    files_checked: int = 0
    claims: int = 0
    traces: int = 0
    problems: list[Problem] = field(default_factory=list)
    # the claims that parsed, for callers that check more (Seal L1) without parsing twice
    loaded_claims: dict[str, Claim] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, file: str, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(file, field_name, message))

    def add_error(self, error: InputError, default_file: str) -> None:
        self.add(error.file or default_file, error.field, error.problem)

    def to_dict(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "ok": self.ok,
            "files_checked": self.files_checked,
            "claims": self.claims,
            "traces": self.traces,
            "problems": [asdict(p) for p in self.problems],
        }


def _load_claims_chunk(root: str, ids: list[str]) -> list[tuple[str, Claim | InputError]]:
    paths = AraPaths(Path(root))
    out: list[tuple[str, Claim | InputError]] = []
    for claim_id in ids:
        try:
            out.append((claim_id, load_claim(paths, claim_id)))
        except InputError as exc:
            out.append((claim_id, exc))
    return out


def _load_claims(paths: AraPaths, ids: list[str]) -> list[tuple[str, Claim | InputError]]:
    workers = min(os.cpu_count() or 1, 8)
    if len(ids) < PARALLEL_THRESHOLD or workers < 2:
        return _load_claims_chunk(str(paths.root), ids)
    size = -(-len(ids) // (workers * 4))
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_load_claims_chunk, [str(paths.root)] * len(chunks), chunks)
        return [item for chunk in results for item in chunk]


def validate_ara(root: Path, *, check_hashes: bool = True) -> ValidationReport:
    """Check an ARA directory; never raises for content problems, only reports them."""
    paths = AraPaths(root)
    report = ValidationReport(slug=paths.slug)
    manifest_name = paths.display(paths.manifest)
    try:
        manifest = load_manifest(paths)
        report.files_checked += 1
    except InputError as exc:
        report.add_error(exc, manifest_name)
        return report
    if manifest.slug != paths.slug:
        report.add(
            manifest_name,
            "slug",
            f"{manifest.slug!r} does not match the directory name {paths.slug!r}",
        )
    on_disk = claim_file_ids(paths)
    for missing in sorted(set(manifest.claims) - set(on_disk)):
        report.add(
            manifest_name, "claims", f"lists {missing} but claims/{missing}.yaml does not exist"
        )
    for extra in sorted(set(on_disk) - set(manifest.claims)):
        report.add(
            paths.display(paths.claim(extra)), None, "claim file is not listed in ara.yaml claims"
        )
    claims: dict[str, Claim] = {}
    for claim_id, result in _load_claims(paths, on_disk):
        report.files_checked += 1
        if isinstance(result, InputError):
            report.add_error(result, paths.display(paths.claim(claim_id)))
        else:
            claims[claim_id] = result
    report.claims = len(claims)
    report.loaded_claims = claims
    traces = _check_traces(paths, report)
    _check_claim_references(paths, claims, traces, report, check_hashes=check_hashes)
    _check_exploration(paths, traces, report)
    return report


def _check_traces(paths: AraPaths, report: ValidationReport) -> set[str]:
    known: set[str] = set()
    for kind in TRACE_TYPES:
        for trace_id in trace_ids(paths, kind):
            report.files_checked += 1
            path = paths.trace(kind, trace_id)
            try:
                trace = load_trace(paths, kind, trace_id)
            except InputError as exc:
                report.add_error(exc, paths.display(path))
                continue
            if trace.id != trace_id:
                report.add(paths.display(path), "id", f"{trace.id!r} does not match the file name")
            if trace_id in known:
                report.add(paths.display(path), "id", f"trace id {trace_id} is used twice")
            known.add(trace_id)
    report.traces = len(known)
    return known


def _check_claim_references(
    paths: AraPaths,
    claims: dict[str, Claim],
    traces: set[str],
    report: ValidationReport,
    *,
    check_hashes: bool,
) -> None:
    hashes: dict[str, str | None] = {}
    for claim_id, claim in claims.items():
        name = paths.display(paths.claim(claim_id))
        for index, dep in enumerate(claim.dependencies):
            if dep not in claims:
                report.add(name, f"dependencies.{index}", f"unknown claim {dep}")
        for index, trace in enumerate(claim.traces):
            if trace not in traces:
                report.add(name, f"traces.{index}", f"unknown trace {trace}")
        for index, code in enumerate(claim.code):
            if not (paths.root / code).exists():
                report.add(name, f"code.{index}", f"{code} does not exist in the ARA")
        for index, ref in enumerate(claim.evidence):
            problem = _evidence_problem(paths, ref, hashes, check_hashes)
            if problem:
                report.add(name, f"evidence.{index}.path", problem)


def _evidence_problem(
    paths: AraPaths, ref: EvidenceRef, hashes: dict[str, str | None], check_hashes: bool
) -> str | None:
    try:
        target = safe_relative(paths.root, ref.path)
    except InputError as exc:
        return exc.problem
    if ref.path not in hashes:
        hashes[ref.path] = (
            (sha256_file(target) if check_hashes else "") if target.is_file() else None
        )
    actual = hashes[ref.path]
    if actual is None:
        return f"evidence file {ref.path} does not exist"
    if check_hashes and actual != ref.sha256:
        return f"sha256 of {ref.path} is {actual[:12]}…, the claim records {ref.sha256[:12]}…"
    return None


def _check_exploration(paths: AraPaths, traces: set[str], report: ValidationReport) -> None:
    name = paths.display(paths.exploration)
    try:
        tree = load_exploration(paths)
    except InputError as exc:
        report.add_error(exc, name)
        return
    if paths.exploration.exists():
        report.files_checked += 1
    for index, node in enumerate(tree.nodes):
        if node.trace is not None and node.trace not in traces:
            report.add(name, f"nodes.{index}.trace", f"unknown trace {node.trace}")


__all__ = ["TRACE_DIRS", "Problem", "ValidationReport", "validate_ara"]
