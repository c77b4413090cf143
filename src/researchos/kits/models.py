"""The plain data a kit hands the pipeline: idea seeds, specs, review patches.

All models are frozen pydantic models that forbid unknown fields, so the pipeline can store
them as YAML or JSON and load them back equal (``to_dict`` / ``from_dict``). Collections are
tuples so a loaded model compares equal to the one that was saved.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from researchos.errors import InputError, UnsafeInput

Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$")]
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
ParamValue = Scalar | list[Scalar]
Params = dict[
    Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")], ParamValue
]
Direction = Literal["higher", "lower"]
Severity = Literal["P0", "P1", "P2", "P3"]
FlagReason = Literal["too_expensive", "duplicate_of", "not_falsifiable", "infeasible", "low_value"]
_CODE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")


class KitModel(BaseModel):
    """Frozen, strict, round-trippable through JSON and YAML."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: Any, *, source: str | None = None) -> Self:
        """Load from parsed YAML/JSON; errors name the source, the field and the problem."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            raise InputError(
                f"{first['msg']} ({exc.error_count()} problem(s) in {cls.__name__})",
                file=source,
                field=field,
                fix=f"compare with the {cls.__name__} fields in docs/kits.md",
            ) from None


def check_code_path(path: str) -> str:
    """A code path must be relative, plain and stay inside code/src/ (no ``..``, no ``/x``)."""
    if not _CODE_PATH.match(path) or ".." in path.split("/"):
        raise UnsafeInput(
            f"path {path!r} must be a relative path of letters, digits, '_', '-', '.' and '/'",
            field="files",
            fix="name files relative to code/src/, e.g. main.py or tests/test_main.py",
        )
    return path


class IdeaFlag(KitModel):
    """A machine-readable reason a screener can use to reject an idea."""

    reason: FlagReason
    detail: str
    ref: str | None = Field(default=None, description="for duplicate_of: the original's id")

    @model_validator(mode="after")
    def _duplicate_names_original(self) -> Self:
        if self.reason == "duplicate_of" and not self.ref:
            raise ValueError("a duplicate_of flag needs ref: the id of the original idea")
        return self


class Condition(KitModel):
    """One arm of an experiment: a name and the parameters that make it differ."""

    name: Name
    params: Params = Field(default_factory=dict)


def _unique(names: list[str], what: str) -> None:
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"duplicate {what}: {', '.join(duplicates)}")


class IdeaSeed(KitModel):
    """A concrete, testable candidate idea that its kit can turn into a runnable experiment."""

    id: Name
    kit: Name
    title: str = Field(min_length=1)
    hypothesis: str = Field(min_length=1)
    rationale: str
    conditions: tuple[Condition, ...] = Field(min_length=1)
    baseline: Name
    primary_metric: Name
    direction: Direction
    secondary_metrics: tuple[Name, ...] = ()
    parameters: Params = Field(default_factory=dict)
    min_effect: float = Field(default=0.0, ge=0.0, description="smallest difference that matters")
    cost_cpu_seconds: float = Field(gt=0.0, description="expected CPU-seconds per run")
    tags: tuple[str, ...] = ()
    novelty_hint: float = Field(default=0.5, ge=0.0, le=1.0, description="prior for a screener")
    flags: tuple[IdeaFlag, ...] = ()

    @model_validator(mode="after")
    def _baseline_is_a_condition(self) -> Self:
        names = [condition.name for condition in self.conditions]
        _unique(names, "condition names")
        if self.baseline not in names:
            raise ValueError(f"baseline {self.baseline!r} is not one of the conditions {names}")
        return self

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def flag_reasons(self) -> tuple[str, ...]:
        return tuple(flag.reason for flag in self.flags)


class Tolerance(KitModel):
    """How far a re-run's number may drift from the recorded one and still reproduce it."""

    absolute: float = Field(default=1e-9, ge=0.0)
    relative: float = Field(default=1e-6, ge=0.0)

    def close(self, recorded: float, rerun: float) -> bool:
        return math.isclose(recorded, rerun, rel_tol=self.relative, abs_tol=self.absolute)


class AnalysisPlan(KitModel):
    """What the analysis stage tests, fixed before any run (pre-registration)."""

    primary_metric: Name
    baseline: Name
    direction: Direction
    secondary_metrics: tuple[Name, ...] = ()
    alpha: float = Field(default=0.05, gt=0.0, lt=1.0)
    min_effect: float = Field(default=0.0, ge=0.0)
    test: Literal["paired_t"] = "paired_t"
    correction: Literal["holm"] = "holm"


class KitSpec(KitModel):
    """An executable plan: conditions × seeds, metrics, tolerance, budget and analysis plan."""

    id: Name
    kit: Name
    idea_id: Name
    title: str
    hypothesis: str
    conditions: tuple[Condition, ...] = Field(min_length=2)
    parameters: Params = Field(default_factory=dict)
    seeds: tuple[Annotated[int, Field(ge=0, le=2**32 - 1)], ...] = Field(
        default=(0, 1, 2, 3, 4), min_length=1
    )
    metrics: tuple[Name, ...] = Field(min_length=1)
    tolerance: Tolerance = Field(default_factory=Tolerance)
    budget_cpu_seconds: float = Field(gt=0.0, description="for every run of the spec together")
    run_timeout_seconds: float = Field(gt=0.0, description="wall-clock limit for one run")
    analysis: AnalysisPlan

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = self.condition_names
        _unique(list(names), "condition names")
        _unique([str(seed) for seed in self.seeds], "seeds")
        if self.analysis.baseline not in names:
            raise ValueError(f"analysis.baseline {self.analysis.baseline!r} is not in {names}")
        measured = {self.analysis.primary_metric, *self.analysis.secondary_metrics}
        missing = sorted(measured - set(self.metrics))
        if missing:
            raise ValueError(f"analysis metrics {missing} are not among metrics {self.metrics}")
        return self

    @property
    def condition_names(self) -> tuple[str, ...]:
        return tuple(condition.name for condition in self.conditions)

    def condition(self, name: str) -> Condition:
        for condition in self.conditions:
            if condition.name == name:
                return condition
        raise InputError(f"unknown condition {name!r}", field="conditions")

    def runs(self) -> list[tuple[str, int]]:
        """Every (condition, seed) pair, in the order a reproduction runs them."""
        return [(name, seed) for name in self.condition_names for seed in self.seeds]

    def digest(self) -> str:
        """sha256 of the canonical JSON: the pre-registration hash of this plan."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def restrict(
        self, *, conditions: tuple[str, ...] | None = None, seeds: tuple[int, ...] | None = None
    ) -> KitSpec:
        """A smaller spec (a pilot): a subset of conditions that keeps the baseline, or seeds."""
        keep = conditions or self.condition_names
        if self.analysis.baseline not in keep:
            raise InputError(
                f"a restricted spec must keep the baseline {self.analysis.baseline!r}",
                field="conditions",
            )
        chosen = [self.condition(name).to_dict() for name in keep]
        data = {**self.to_dict(), "conditions": chosen, "seeds": list(seeds or self.seeds)}
        return KitSpec.from_dict(data, source=f"spec {self.id} restricted")


class ReviewNote(KitModel):
    """One finding of the reviewer pass; P0/P1 block the run, P2/P3 are advice."""

    severity: Severity
    file: str | None = None
    message: str


class ReviewPatch(KitModel):
    """Full-file replacements and additions from the reviewer, plus its notes."""

    files: dict[str, str] = Field(default_factory=dict)
    notes: tuple[ReviewNote, ...] = ()

    @model_validator(mode="after")
    def _safe_paths(self) -> Self:
        for path in self.files:
            check_code_path(path)
        return self

    @property
    def blocking(self) -> tuple[ReviewNote, ...]:
        return tuple(note for note in self.notes if note.severity in ("P0", "P1"))

    def apply(self, files: dict[str, str]) -> dict[str, str]:
        """The builder's files with this patch merged over them (the patch wins)."""
        return {**files, **self.files}
