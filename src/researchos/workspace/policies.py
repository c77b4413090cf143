"""Default policy files written to ``system/`` when a workspace is created.

The seal and learning policies are plain data here; the packages that enforce them (seal,
landscape) read them back through these models, so the defaults live in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from researchos.errors import InputError
from researchos.files import load_yaml


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
    promote_with_mock_reviewers: bool = Field(
        default=False,
        description="L2: let the deterministic MOCK reviewers promote claims to verified "
        "(off: a mock review is not a review; tests of the promotion rules turn it on).",
    )
    runtime_slack: float = Field(
        default=3.0, ge=1, description="L3: allowed factor over the claimed compute budget."
    )


class LearningPolicy(_Policy):
    """``system/learning-policy.yaml``: what the workspace keeps, adopts and forgets.

    Skills per agent role (budget, adoption threshold), failure-trace discounting, and the
    landscape's forgetting rules (hypothesis timeout, contradiction tolerances).
    """

    skill_budget: int = Field(default=20, ge=1, description="Skills kept per agent role.")
    evidence_threshold: int = Field(
        default=2, ge=1, description="Positive outcomes before a skill is adopted."
    )
    discount_after_months: int = Field(
        default=18, ge=1, description="Failure traces weigh less after this many months."
    )
    discount_factor: float = Field(
        default=0.25,
        gt=0,
        le=1,
        description="Weight of a failure trace (or retracted entry) past its discount_after.",
    )
    recency_half_life_days: int = Field(
        default=365, ge=1, description="Ranking: a dead end's weight halves over this many days."
    )
    prune_failure_traces: Literal[False] = Field(
        default=False, description="Failure traces are never pruned; kept for the record."
    )
    hypothesis_timeout_days: int = Field(
        default=90,
        ge=1,
        description="Landscape: hypotheses with no new evidence this long are retracted "
        "(reason evidence_timeout).",
    )
    contradiction_rel_tolerance: float = Field(
        default=0.05,
        ge=0,
        description="Landscape: values without confidence intervals contradict when they "
        "differ by more than this fraction of the larger one.",
    )
    contradiction_abs_tolerance: float = Field(
        default=1e-9, ge=0, description="Landscape: absolute floor of the value tolerance."
    )


DEFAULT_POLICIES: dict[str, _Policy] = {
    "seal-policy.yaml": SealPolicy(),
    "learning-policy.yaml": LearningPolicy(),
}


P = TypeVar("P", bound=_Policy)


def read_policy(system_dir: Path, model: type[P]) -> P:
    """The policy file of ``model`` in ``system/``; its defaults when the file is missing."""
    name = next(n for n, p in DEFAULT_POLICIES.items() if type(p) is model)
    path = system_dir / name
    if not path.is_file():
        return model()
    data = load_yaml(path, display=f"system/{name}") or {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of settings", file=f"system/{name}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(
            first["msg"],
            file=f"system/{name}",
            field=".".join(str(p) for p in first["loc"]) or None,
            fix=f"fix the value or delete the line to use the default ({name})",
        ) from None
