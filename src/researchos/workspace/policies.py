"""Default policy files written to ``system/`` when a workspace is created.

The seal and learning policies are plain data here; the packages that enforce them (seal,
landscape) read them back through these models, so the defaults live in one place.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format_version: int = 1


class SealPolicy(_Policy):
    """``system/seal-policy.yaml``: thresholds for Seal L1-L3."""

    confidence_floor: float = Field(
        default=0.85,
        ge=0,
        le=1,
        description="L2: minimum reviewer confidence for hypothesis -> verified.",
    )
    require_tool_evidence: bool = Field(
        default=True, description="L2: promotion also needs evidence produced by a tool/run."
    )
    recorded_runs_dir: str = Field(
        default="evidence/raw/runs",
        description="L3: where an ARA keeps its recorded run outputs, laid out "
        "<dir>/<condition>/seed-<n>/<file> like reproduce.sh's OUTPUT_DIR.",
    )
    specs_dir: str = Field(
        default="code/specs",
        description="L3: the ARA's pre-registered experiment specs (*.yaml, with seeds).",
    )
    numeric_rel_tolerance: float = Field(
        default=0.01, ge=0, description="L3: relative tolerance when diffing numbers."
    )
    numeric_abs_tolerance: float = Field(
        default=1e-9, ge=0, description="L3: absolute tolerance when diffing numbers."
    )
    runtime_slack: float = Field(
        default=3.0, ge=1, description="L3: allowed factor over the claimed compute budget."
    )


class LearningPolicy(_Policy):
    """``system/learning-policy.yaml``: skill budgets and failure-trace discounting."""

    skill_budget: int = Field(default=20, ge=1, description="Skills kept per agent role.")
    evidence_threshold: int = Field(
        default=2, ge=1, description="Positive outcomes before a skill is adopted."
    )
    discount_after_months: int = Field(
        default=18, ge=1, description="Failure traces weigh less after this many months."
    )
    prune_failure_traces: bool = Field(
        default=False, description="Failure traces are never pruned; kept for the record."
    )


DEFAULT_POLICIES: dict[str, _Policy] = {
    "seal-policy.yaml": SealPolicy(),
    "learning-policy.yaml": LearningPolicy(),
}
