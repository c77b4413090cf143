"""The declared analysis plan: what is compared, in which direction, at which alpha.

The spec stage writes this plan before any run (pre-registration), so the analysis cannot
choose its tests after seeing the data. Everything here is plain, validated configuration.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Direction = Literal["higher_is_better", "lower_is_better"]
CiMethod = Literal["t", "bootstrap"]
Pairing = Literal["auto", "paired", "unpaired"]


def _normalise_direction(value: Any) -> Any:
    """Accept "higher is better", "higher-is-better", "higher" (and the same for lower)."""
    if isinstance(value, str):
        text = value.strip().lower().replace("-", " ").replace("_", " ")
        if text in ("higher is better", "higher", "max", "maximize", "maximise"):
            return "higher_is_better"
        if text in ("lower is better", "lower", "min", "minimize", "minimise"):
            return "lower_is_better"
    return value


DirectionField = Annotated[Direction, BeforeValidator(_normalise_direction)]


class PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ComparisonSpec(PlanModel):
    """One pre-registered comparison: ``treatment`` against ``baseline`` on ``metric``."""

    treatment: str = Field(min_length=1, description="Condition expected to be better.")
    baseline: str | None = Field(
        default=None, description="Reference condition (default: the plan's baseline)."
    )
    metric: str | None = Field(
        default=None, description="Metric compared (default: the plan's primary metric)."
    )


class AnalysisPlan(PlanModel):
    """What the analysis computes; produced by the spec stage and hashed with the spec."""

    primary_metric: str = Field(min_length=1)
    secondary_metrics: list[str] = Field(
        default_factory=list, description="Also summarised and compared; share the Holm family."
    )
    baseline: str = Field(min_length=1, description="The reference condition.")
    comparisons: list[ComparisonSpec] = Field(
        default_factory=list,
        description="Empty: every other condition against the baseline on every plan metric.",
    )
    alpha: float = Field(default=0.05, gt=0.0, lt=0.5)
    direction: DirectionField = "higher_is_better"
    metric_directions: dict[str, DirectionField] = Field(
        default_factory=dict, description="Per-metric direction overriding `direction`."
    )
    min_effect_size: float = Field(
        default=0.0,
        ge=0.0,
        description="Smallest standardised effect (|Cohen's d| or |dz|) that counts as real.",
    )
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0, description="CI level.")
    ci_method: CiMethod = "t"
    bootstrap_resamples: int = Field(default=10_000, ge=100, le=1_000_000)
    bootstrap_seed: int = Field(default=0, ge=0)
    pairing: Pairing = Field(
        default="auto",
        description="auto: paired when both conditions ran the same seeds, Welch otherwise.",
    )
    proportion_metrics: list[str] = Field(
        default_factory=list,
        description="Metrics whose values are 0/1 outcomes (or shares): a Wilson score interval.",
    )
    metric_ranges: dict[str, tuple[float | None, float | None]] = Field(
        default_factory=dict,
        description="The values a metric can take (low, high; null = unbounded); CIs are clipped.",
    )

    @model_validator(mode="after")
    def _distinct_metrics(self) -> AnalysisPlan:
        if self.primary_metric in self.secondary_metrics:
            raise ValueError("the primary metric must not also be a secondary metric")
        for spec in self.comparisons:
            if (spec.baseline or self.baseline) == spec.treatment:
                raise ValueError(f"comparison compares {spec.treatment!r} with itself")
            if spec.metric is not None and spec.metric not in self.metrics:
                raise ValueError(
                    f"comparison metric {spec.metric!r} is not a primary or secondary metric"
                )
        for metric in [*self.proportion_metrics, *self.metric_ranges]:
            if metric not in self.metrics:
                raise ValueError(f"metric {metric!r} is not a primary or secondary metric")
        return self

    def range_of(self, metric: str) -> tuple[float | None, float | None]:
        if metric in self.proportion_metrics:
            return (0.0, 1.0)
        return self.metric_ranges.get(metric, (None, None))

    @property
    def metrics(self) -> list[str]:
        return [self.primary_metric, *self.secondary_metrics]

    def direction_of(self, metric: str) -> Direction:
        return self.metric_directions.get(metric, self.direction)

    def resolved_comparisons(self, conditions: list[str]) -> list[tuple[str, str, str]]:
        """(treatment, baseline, metric) triples, in plan order, without duplicates."""
        if self.comparisons:
            triples = [
                (c.treatment, c.baseline or self.baseline, c.metric or self.primary_metric)
                for c in self.comparisons
            ]
        else:
            others = [c for c in conditions if c != self.baseline]
            triples = [(t, self.baseline, m) for m in self.metrics for t in others]
        return list(dict.fromkeys(triples))
