"""``researchos metrics``: the workspace's health in ten numbers, from files and store only.

Every figure is a ratio with its numerator and denominator (``None`` when there is nothing
to count), computed without a model call, and written to ``system/metrics-report.md`` as a
``metrics.report`` commit. Definitions are in docs/seal.md (Metrics).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from researchos.artifacts.models import utcnow
from researchos.history.changes import content_change
from researchos.history.commits import ChangeMeta
from researchos.metrics.files import (
    AraFacts,
    all_ara_facts,
    lag_summary,
    promotion_lags,
    skill_curve,
)
from researchos.store import provider_calls, runs
from researchos.store import seal as seal_store

if TYPE_CHECKING:
    from researchos.app import App

REPORT = "system/metrics-report.md"


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int
    definition: str

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def shown(self) -> str:
        if self.value is None:
            return "n/a (0/0)"
        return f"{self.value:.1%} ({self.numerator}/{self.denominator})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "definition": self.definition,
        }


@dataclass
class MetricsReport:
    generated: datetime
    ratios: dict[str, Ratio]
    promotion_lag: dict[str, Any]
    skill_curve: list[dict[str, Any]]
    tier_usage: list[dict[str, Any]]
    aras: list[AraFacts]
    unreadable: list[str] = field(default_factory=list)
    commit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated": self.generated.isoformat(),
            "report": REPORT,
            "commit": self.commit,
            **{name: ratio.to_dict() for name, ratio in self.ratios.items()},
            "claim_promotion_lag": self.promotion_lag,
            "skill_curve": self.skill_curve,
            "model_tier_usage": self.tier_usage,
            "aras": [vars(a) for a in self.aras],
            "unreadable": self.unreadable,
        }


def _file_ratios(aras: list[AraFacts]) -> dict[str, Ratio]:
    total = lambda name: sum(getattr(a, name) for a in aras)  # noqa: E731
    return {
        "claim_coverage": Ratio(
            total("with_evidence"),
            total("claims"),
            "claims citing at least one evidence file / claims",
        ),
        "trace_completeness": Ratio(
            total("complete_failures"),
            total("failures"),
            "failure traces with hypothesis, lesson and failure class / failure traces",
        ),
        "traces_past_discount_after": Ratio(
            total("past_discount"),
            total("failures"),
            "failure traces past discount_after / failure traces",
        ),
    }


def _store_ratios(app: App) -> tuple[dict[str, Ratio], list[dict[str, Any]]]:
    with app.database.session() as session:
        seals = seal_store.attempt_totals(session)
        results = runs.result_counts(session)
        usage = provider_calls.usage_report(session)
    l3 = seals["by_level"].get(3, {"attempts": 0, "passed": 0})
    ratios = {
        "reproduction_pass_rate": Ratio(
            l3["passed"], l3["attempts"], "Seal L3 passes / L3 attempts"
        ),
        "l2_disagreement_rate": Ratio(
            seals["disagreements"],
            seals["reviewed_claims"],
            "claims the two L2 reviewers disagreed on / claims reviewed",
        ),
        "seal_rejection_rate": Ratio(
            seals["rejected_runs"], seals["seal_runs"], "seal runs with a failed level / seal runs"
        ),
        "sandbox_crash_rate": Ratio(
            results.get("sandbox_error", 0),
            sum(results.values()),
            "finished runs that ended sandbox_error / finished runs",
        ),
    }
    return ratios, usage["by_tier"]


def collect(app: App, *, today: date | None = None) -> MetricsReport:
    now = utcnow()
    aras = all_ara_facts(app.workspace.ara_dir, today or now.date())
    ratios = _file_ratios(aras)
    store_ratios, tiers = _store_ratios(app)
    ratios.update(store_ratios)
    git = app.workspace.git
    return MetricsReport(
        generated=now,
        ratios=ratios,
        promotion_lag=lag_summary(promotion_lags(git)),
        skill_curve=skill_curve(git),
        tier_usage=tiers,
        aras=aras,
        unreadable=[u for a in aras for u in a.unreadable],
    )


def write_report(app: App, report: MetricsReport, markdown: str) -> MetricsReport:
    meta = ChangeMeta(
        event="metrics.report",
        scope="workspace",
        summary=f"metrics report: {len(report.aras)} ARA(s)",
        actor=app.actor,
    )
    with content_change(app.workspace.root, app.workspace.var_dir, meta) as cs:
        cs.write_bytes(app.workspace.root / REPORT, markdown)
    report.commit = cs.commit
    return report
