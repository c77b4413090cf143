"""``Distiller``: a transcript in, an ARA out (parse -> propose -> ground -> write -> hooks).

After every successful distillation the functions registered with ``after_distill`` run with
the app and the report; Seal L1 plugs in there (``after_distill(seal_l1)``), so every
distilled ARA is checked without the distiller knowing about Seal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from researchos.artifacts.models import AraProvenance
from researchos.artifacts.service import Origin
from researchos.distill.digest import Proposals, propose
from researchos.distill.grounding import GroundingResult, ground, wanted_lines
from researchos.distill.layout import Context, plan_builder, q_lines
from researchos.distill.parser import ParsedSession, SpanSource, parse_transcript, read_spans
from researchos.distill.source import Limits, Progress
from researchos.distill.writer import (
    Target,
    Written,
    choose_target,
    evidence_conflict,
    evidence_file,
    write,
)
from researchos.errors import InputError
from researchos.files import sha256_bytes
from researchos.providers.types import ModelRequest, ModelResponse

if TYPE_CHECKING:
    from researchos.app import App

log = logging.getLogger(__name__)
ACTOR = "agent:distiller"
AfterDistill = Callable[["App", "DistillReport"], dict[str, Any] | None]
_after: list[AfterDistill] = []


def after_distill(hook: AfterDistill) -> AfterDistill:
    """Run ``hook(app, report)`` after each distillation; what it returns lands in the report."""
    if hook not in _after:
        _after.append(hook)
    return hook


def remove_after_distill(hook: AfterDistill) -> None:
    if hook in _after:
        _after.remove(hook)


@dataclass
class DistillReport:
    transcript: str
    format: str
    sha256: str
    size: int
    lines: int
    events: dict[str, int]
    warnings: list[str]
    mode: str
    calls: int
    events_sent: int
    events_left_out: int
    proposed: dict[str, int]
    accepted: dict[str, int]
    rejected: dict[str, int]
    rejections: list[dict[str, str]]
    ara: str
    created: bool
    claims: list[str]
    traces: list[str]
    evidence: str
    evidence_mode: str
    commit: str | None
    seconds: float
    hooks: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Distiller:
    def __init__(self, app: App, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    def distill(
        self,
        path: Path,
        *,
        ara: str | None = None,
        fmt: str | None = None,
        progress: Progress | None = None,
        display: str | None = None,
    ) -> DistillReport:
        """Distil ``path``; ``display`` is how errors name the file (default: the path)."""
        started = time.perf_counter()
        display = display or str(path)
        session = parse_transcript(
            path, limits=self.limits, fmt=fmt, display=display, progress=progress
        )
        origin_name = session.name
        target = choose_target(self.app.aras, ara, f"session {path.stem}", origin_name)
        proposals = self._propose(session, target.slug)
        result, spans = self._ground(session, proposals)
        if not result.accepted:
            raise InputError(
                f"nothing grounded to distil ({sum(result.counts('rejected').values())} of "
                f"{sum(_count(proposals).values())} proposed items rejected)",
                file=display,
                fix="check that the transcript holds commands, results or errors",
            )
        written, evidence_mode = self._write(session, target, proposals, result, spans)
        report = self._report(session, proposals, result, written, evidence_mode, started)
        self._after(report)
        return report

    # --- steps -----------------------------------------------------------------------------

    def _propose(self, session: ParsedSession, slug: str) -> Proposals:
        def call(request: ModelRequest) -> ModelResponse:
            return self.app.router.call("distillation", request, ara=slug)

        return propose(
            call,
            session.events,
            transcript=session.name,
            fmt=session.format,
            chunk_tokens=self.limits.chunk_tokens,
            max_chunks=self.limits.max_chunks,
        )

    def _ground(
        self, session: ParsedSession, proposals: Proposals
    ) -> tuple[GroundingResult, SpanSource]:
        wanted = wanted_lines(proposals.proposal, session.lines)
        spans = read_spans(session, wanted, limits=self.limits)
        return ground(proposals.proposal, spans.span_text, session.lines), spans

    def _write(
        self,
        session: ParsedSession,
        target: Target,
        proposals: Proposals,
        result: GroundingResult,
        spans: SpanSource,
    ) -> tuple[Written, str]:
        cited = {n for g in result.accepted for q in g.quotes for n in q_lines(q)}
        data = spans.full if spans.full is not None else spans.excerpt(cited, session.lines)
        rel = evidence_file(session.path.stem, session.sha256, session.format)
        if not target.new:
            evidence_conflict(self.app.aras, target.slug, rel, data)
        mock = any(r.get("mock") for r in proposals.routing)
        tier = next((str(r["tier"]) for r in proposals.routing if r.get("tier")), None)
        ctx = Context(
            evidence_path=rel,
            evidence_sha256=sha256_bytes(data),
            transcript=session.name,
            fmt=session.format,
            actor=ACTOR,
            model_tier=tier,
            mock=mock,
            events={e.id: e for e in session.events},
            span_text=spans.span_text,
        )
        title = session.title or proposals.proposal.title or session.first_prompt or session.name
        title = " ".join(title.split())[:120]
        flags = ["MOCK"] if mock else []
        changes = {"routing": proposals.routing, "flags": flags, "tags": ["distill"]}
        build = plan_builder(
            result.accepted, ctx, f"Session {session.name}: {title}", {rel: data}, changes
        )
        create = {
            "title": title,
            "mode": "mock" if mock else self.app.run_mode,
            "description": f"Distilled from {session.name} ({session.format}, "
            f"{session.lines} lines, sha256 {session.sha256[:16]}).",
            "tags": ["distill", session.format],
            "provenance": AraProvenance(source="distill", created_by=ACTOR, origin=session.name),
        }
        claims = result.counts("accepted")["claims"]
        summary = f"distil {session.name}: {claims} claims, {len(result.accepted) - claims} traces"
        origin = Origin(ACTOR, model_tier=tier)
        written = write(self.app.aras, target, build, create=create, origin=origin, summary=summary)
        return written, "full" if spans.full is not None else "cited-lines"

    def _report(
        self,
        session: ParsedSession,
        proposals: Proposals,
        result: GroundingResult,
        written: Written,
        evidence_mode: str,
        started: float,
    ) -> DistillReport:
        return DistillReport(
            transcript=session.name,
            format=session.format,
            sha256=session.sha256,
            size=session.size,
            lines=session.lines,
            events=session.counts,
            warnings=session.warnings(),
            mode=self.app.run_mode,
            calls=proposals.calls,
            events_sent=proposals.events_sent,
            events_left_out=proposals.events_left_out,
            proposed=_count(proposals),
            accepted=result.counts("accepted"),
            rejected=result.counts("rejected"),
            rejections=[r.to_dict() for r in result.rejected],
            ara=written.slug,
            created=written.created,
            claims=written.claims,
            traces=written.traces,
            evidence=written.evidence,
            evidence_mode=evidence_mode,
            commit=written.commit,
            seconds=round(time.perf_counter() - started, 3),
        )

    def _after(self, report: DistillReport) -> None:
        for hook in list(_after):
            name = getattr(hook, "__name__", repr(hook))
            try:
                outcome = hook(self.app, report)
            except Exception as exc:  # a hook never undoes a committed distillation
                log.exception("after-distill hook %s failed", name)
                outcome = {"error": str(exc)}
            if outcome is not None:
                report.hooks[name] = outcome


def _count(proposals: Proposals) -> dict[str, int]:
    from researchos.distill.proposal import count

    return count(proposals.proposal)


def limits_for(settings: Any) -> Limits:
    """The distiller's limits from the settings (the composition root passes them in)."""
    mb = 1 << 20
    return Limits(
        max_bytes=settings.distill_max_mb * mb,
        notebook_max_bytes=settings.distill_notebook_max_mb * mb,
        evidence_full_bytes=settings.distill_evidence_full_mb * mb,
        chunk_tokens=settings.distill_chunk_tokens,
        max_chunks=settings.distill_max_chunks,
    )
