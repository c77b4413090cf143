"""Run Seal levels over an ARA and record the outcome: ara.yaml, the review packet, the store.

``SealService.seal(slug)`` runs L1, L2, L3 in order (stopping at the first failed level
unless ``all_levels``), applies the L2 promotions (unless L3 ran in the same seal and
failed), then writes the ``seal`` block and status of ``ara.yaml`` and
``views/review-packet.md`` as one ``ara.seal(<slug>)`` commit, and stores one attempt row per
level run (and one row per reviewer disagreement) for ``researchos metrics``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from researchos.artifacts.models import TRACE_TYPES, AraManifest, SealLevel, utcnow
from researchos.artifacts.reader import load_manifest, model_from_data, trace_ids
from researchos.errors import InputError, ResearchOSError
from researchos.history.changes import content_change
from researchos.history.commits import ChangeMeta
from researchos.seal.context import SealContext
from researchos.seal.packet import as_json, finding_strings, render_packet
from researchos.seal.policy import load_seal_policy
from researchos.seal.promotion import Decision, decide, promote
from researchos.seal.registry import LEVELS, Finding, SealCheck, checks_for
from researchos.seal.review import ClaimVerdicts
from researchos.store import audit, index
from researchos.store import seal as seal_store

if TYPE_CHECKING:
    from researchos.app import App

log = logging.getLogger(__name__)
PACKET = "views/review-packet.md"
MAX_MANIFEST_FINDINGS = 100
Progress = Callable[[int, SealCheck], None]


@dataclass
class LevelResult:
    level: int
    passed: bool
    skipped: bool = False
    at: datetime = field(default_factory=utcnow)
    duration_s: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return LEVELS[self.level]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def summary(self) -> str:
        if self.skipped:
            return "skipped: an earlier level failed"
        counts: dict[str, int] = {}
        for finding in self.errors:
            counts[finding.check] = counts.get(finding.check, 0) + 1
        what = ", ".join(f"{check} {n}" for check, n in counts.items())
        head = "passed" if self.passed else f"failed: {len(self.errors)} error(s) ({what})"
        return f"{head}; {len(self.checks)} checks, {len(self.warnings)} warning(s)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "name": self.name,
            "passed": self.passed,
            "skipped": self.skipped,
            "at": self.at.isoformat(),
            "duration_s": round(self.duration_s, 3),
            "summary": self.summary,
            "checks": self.checks,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class SealReport:
    slug: str
    seal_id: str
    status: str
    levels: list[LevelResult]
    decisions: list[Decision] = field(default_factory=list)
    promoted: list[str] = field(default_factory=list)
    held: str | None = None
    verdicts: dict[str, ClaimVerdicts] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    commit: str | None = None

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.levels)

    @property
    def disagreements(self) -> list[ClaimVerdicts]:
        return [v for v in self.verdicts.values() if v.disagree]

    def level(self, number: int) -> LevelResult | None:
        return next((r for r in self.levels if r.level == number), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "seal_id": self.seal_id,
            "status": self.status,
            "sealed": self.status == "sealed",
            "passed": self.passed,
            "commit": self.commit,
            "packet": f"ara/{self.slug}/{PACKET}",
            "levels": [r.to_dict() for r in self.levels],
            "promoted": self.promoted,
            "promotions_held": self.held,
            "decisions": [d.to_dict() for d in self.decisions],
            "disagreements": [v.to_dict() for v in self.disagreements],
            "details": self.details,
        }


def _levels(requested: Iterable[int] | None) -> list[int]:
    levels = sorted(set(requested or LEVELS))
    for level in levels:
        if level not in LEVELS:
            raise InputError(f"there is no seal level {level}", field="level", fix="use 1, 2 or 3")
    return levels


def run_level(ctx: SealContext, level: int, progress: Progress | None = None) -> LevelResult:
    """Every check of ``level``; a check that raises a ResearchOSError becomes a finding."""
    started = time.perf_counter()
    result = LevelResult(level=level, passed=False)
    for check in checks_for(level):
        if progress:
            progress(level, check)
        result.checks.append(check.name)
        try:
            result.findings.extend(check.function(ctx))
        except ResearchOSError as exc:
            result.findings.append(
                Finding(check.name, ctx.display(""), None, f"the check could not run: {exc}")
            )
    result.passed = not result.errors
    result.duration_s = time.perf_counter() - started
    return result


class SealService:
    def __init__(self, app: App) -> None:
        self.app = app

    def seal(
        self,
        slug: str,
        *,
        levels: Iterable[int] | None = None,
        all_levels: bool = False,
        progress: Progress | None = None,
    ) -> SealReport:
        """Run the levels over ARA ``slug`` and record everything (see the module docstring)."""
        paths = self.app.aras.paths(slug)
        ctx = SealContext(self.app, slug, paths, load_seal_policy(self.app.workspace))
        results: list[LevelResult] = []
        for level in _levels(levels):
            if results and not results[-1].passed and not all_levels:
                results.append(LevelResult(level=level, passed=False, skipped=True))
                continue
            results.append(run_level(ctx, level, progress))
        report = SealReport(slug, uuid.uuid4().hex, "draft", results)
        report.verdicts = dict(ctx.details.get("reviews", {}))
        l2 = report.level(2)
        if l2 is not None and not l2.skipped:
            report.decisions = decide(ctx)
            report.held = _held_back(ctx, report)
            if report.held is None:
                report.promoted = promote(ctx, report.decisions)
        report.details = _public_details(ctx)
        self._record(ctx, report)
        return report

    # --- recording -----------------------------------------------------------------------

    def _record(self, ctx: SealContext, report: SealReport) -> None:
        paths = ctx.paths
        meta = ChangeMeta(
            event="ara.seal",
            scope=ctx.slug,
            summary=_commit_summary(report),
            actor=self.app.actor,
            extra={"Seal": report.seal_id},
        )
        with content_change(
            self.app.workspace.root, self.app.workspace.var_dir, meta, ara=ctx.slug
        ) as cs:
            manifest = _sealed_manifest(paths, report)
            report.status = manifest.status
            claims = [ctx.claims[c] for c in manifest.claims if c in ctx.claims]
            packet = render_packet(
                manifest,
                claims,
                report.levels,
                report.verdicts,
                {d.claim_id: d for d in report.decisions},
                promoted=set(report.promoted),
                held=report.held,
                mock=self.app.router.mode == "mock" if report.verdicts else False,
            )
            cs.write_yaml(paths.manifest, manifest)
            cs.write_bytes(paths.root / PACKET, packet)
        report.commit = cs.commit
        self._store(ctx, report, manifest)

    def _store(self, ctx: SealContext, report: SealReport, manifest: AraManifest) -> None:
        with self.app.database.session() as session:
            for result in report.levels:
                if result.skipped:
                    continue
                seal_store.record_attempt(session, attempt=_attempt_row(report, result))
            seal_store.record_disagreements(
                session, rows=[_disagreement_row(report, v) for v in report.disagreements]
            )
            traces = sum(len(trace_ids(ctx.paths, kind)) for kind in TRACE_TYPES)
            index.index_ara(session, manifest, trace_count=traces)
            audit.record(
                session,
                actor=self.app.actor,
                action="ara.seal",
                target=ctx.slug,
                payload={"seal": report.seal_id, "status": report.status, "commit": report.commit},
            )


def _held_back(ctx: SealContext, report: SealReport) -> str | None:
    """Why no claim may be promoted by this seal (None: the promotions go ahead).

    A claim becomes verified only in a seal where every level that ran passed and no level
    left out is on record as failed: a reviewer's support does not outweigh a broken
    structure or numbers that do not reproduce.
    """
    failed = [f"L{r.level}" for r in report.levels if not r.passed and not r.skipped]
    if failed:
        return f"{' and '.join(failed)} failed in this seal"
    if ctx.app.router.mode == "mock" and not ctx.policy.promote_with_mock_reviewers:
        # the mock's verdicts are deterministic heuristics, not a review: never "verified"
        return "the L2 reviewers were the MOCK provider; a real model review is needed"
    ran = {r.level for r in report.levels}
    stored = ctx.manifest.seal
    on_record = [
        f"L{n}" for n in LEVELS if n not in ran and (s := getattr(stored, f"l{n}")) and not s.passed
    ]
    if on_record:
        return f"{' and '.join(on_record)} failed at its last run"
    return None


def _public_details(ctx: SealContext) -> dict[str, Any]:
    details: dict[str, Any] = {}
    run = ctx.details.get("l3_run")
    if run is not None:
        details["l3_run"] = run["record"].id
    for key in ("l3_tolerance", "l3_runtime", "l3_compared", "retracted", "routing"):
        if key in ctx.details:
            details[key] = as_json(ctx.details[key])
    return details


def _sealed_manifest(paths: Any, report: SealReport) -> AraManifest:
    data = load_manifest(paths).model_dump(mode="json")
    seal = dict(data.get("seal") or {})
    for result in report.levels:
        key = f"l{result.level}"
        if result.skipped:
            seal[key] = None
        else:
            seal[key] = SealLevel(
                passed=result.passed,
                at=result.at,
                summary=result.summary,
                findings=finding_strings(result.findings, MAX_MANIFEST_FINDINGS),
            ).model_dump(mode="json")
    data["seal"] = seal
    if data.get("status") != "retracted":
        passed = all((seal.get(f"l{n}") or {}).get("passed") for n in LEVELS)
        data["status"] = "sealed" if passed else "draft"
    data["updated"] = utcnow().isoformat()
    return model_from_data(AraManifest, data, display=paths.display(paths.manifest))


def _commit_summary(report: SealReport) -> str:
    parts = []
    for result in report.levels:
        state = "skipped" if result.skipped else "passed" if result.passed else "failed"
        parts.append(f"L{result.level} {state}")
    promoted = f"; {len(report.promoted)} claim(s) verified" if report.promoted else ""
    return "seal: " + ", ".join(parts) + promoted


def _attempt_row(report: SealReport, result: LevelResult) -> dict[str, Any]:
    reviewed = len(report.verdicts) if result.level == 2 else 0
    return {
        "seal_id": report.seal_id,
        "ara_slug": report.slug,
        "level": result.level,
        "passed": result.passed,
        "at": result.at,
        "duration_s": result.duration_s,
        "summary": result.summary,
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "reviewed": reviewed,
        "disagreements": len(report.disagreements) if result.level == 2 else 0,
        "promoted": len(report.promoted) if result.level == 2 else 0,
        "details": {"checks": result.checks, **(report.details if result.level == 3 else {})},
    }


def _disagreement_row(report: SealReport, item: ClaimVerdicts) -> dict[str, Any]:
    return {
        "seal_id": report.seal_id,
        "ara_slug": report.slug,
        "claim_id": item.claim_id,
        "at": utcnow(),
        "first_verdict": item.first.verdict,
        "first_confidence": item.first.confidence,
        "second_verdict": item.second.verdict,
        "second_confidence": item.second.confidence,
        "reason": item.disagreement_reason(),
    }
