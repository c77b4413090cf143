"""Kits whose experiment is a bundled program plus a JSON description of the spec.

The built-in kits work this way: ``build`` copies a program from researchos.kits.programs
(stdlib + numpy/scipy/scikit-learn only, never ResearchOS) next to the shared run contract
(``contract.py``) and writes ``experiment.json`` (conditions, parameters and the parameter
schema) from the spec. The schema is checked twice with the same code: here when the spec is
made, and by the program when it runs (for RESEARCHOS_PARAMS overrides).
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any, ClassVar

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from researchos.errors import InputError
from researchos.kits.base import Kit
from researchos.kits.models import (
    AnalysisPlan,
    IdeaSeed,
    KitSpec,
    ReviewNote,
    ReviewPatch,
    Tolerance,
)
from researchos.kits.programs.contract import EXPERIMENT_FILE, ContractError, check_params

PROGRAMS = "researchos.kits.programs"
CONTRACT = "contract.py"
UNRUNNABLE = ("not_falsifiable", "infeasible")


def program_source(filename: str, package: str = PROGRAMS) -> str:
    return resources.files(package).joinpath(filename).read_text(encoding="utf-8")


def requirement_ranges(names: tuple[str, ...]) -> str:
    """requirements.txt lines with the version ranges ResearchOS itself declares."""
    declared = {}
    for text in metadata.requires("researchos") or []:
        requirement = Requirement(text)
        if requirement.marker is None:
            declared[canonicalize_name(requirement.name)] = str(requirement.specifier)
    lines = [f"{name}{declared.get(canonicalize_name(name), '')}" for name in names]
    return "\n".join(lines) + "\n" if lines else ""


class ProgramKit(Kit):
    """A kit backed by one program file (in researchos.kits.programs, or a plugin's package)."""

    program: ClassVar[str]
    program_package: ClassVar[str] = PROGRAMS
    schema: ClassVar[dict[str, dict[str, Any]]]
    metrics: ClassVar[tuple[str, ...]]
    requirements: ClassVar[tuple[str, ...]] = ()
    seeds: ClassVar[tuple[int, ...]] = (0, 1, 2, 3, 4)
    tolerance_absolute: ClassVar[float] = 1e-9
    tolerance_relative: ClassVar[float] = 1e-6
    budget_margin: ClassVar[float] = 3.0

    def spec(self, idea: IdeaSeed) -> KitSpec:
        self._check_runnable(idea)
        for condition in idea.conditions:
            self.resolve(idea.parameters, condition.params, where=f"conditions.{condition.name}")
        runs = len(idea.conditions) * len(self.seeds)
        return KitSpec(
            id=idea.id,
            kit=self.name,
            idea_id=idea.id,
            title=idea.title,
            hypothesis=idea.hypothesis,
            conditions=idea.conditions,
            parameters=idea.parameters,
            seeds=self.seeds,
            metrics=self.metrics,
            tolerance=Tolerance(absolute=self.tolerance_absolute, relative=self.tolerance_relative),
            budget_cpu_seconds=round(idea.cost_cpu_seconds * runs * self.budget_margin, 3),
            run_timeout_seconds=max(30.0, round(idea.cost_cpu_seconds * 20, 3)),
            analysis=AnalysisPlan(
                primary_metric=idea.primary_metric,
                baseline=idea.baseline,
                direction=idea.direction,
                secondary_metrics=idea.secondary_metrics,
                min_effect=idea.min_effect,
            ),
        )

    def _check_runnable(self, idea: IdeaSeed) -> None:
        source = f"idea {idea.id}"
        if idea.kit != self.name:
            raise InputError(f"belongs to kit {idea.kit!r}, not {self.name!r}", file=source)
        for flag in idea.flags:
            if flag.reason in UNRUNNABLE:
                raise InputError(
                    f"is flagged {flag.reason}: {flag.detail}",
                    file=source,
                    field="flags",
                    fix="pick an idea without a not_falsifiable or infeasible flag",
                )
        if len(idea.conditions) < 2:
            raise InputError("needs at least two conditions to compare", file=source)
        for metric in (idea.primary_metric, *idea.secondary_metrics):
            if metric not in self.metrics:
                raise InputError(
                    f"metric {metric!r} is not measured by kit {self.name}",
                    file=source,
                    field="primary_metric",
                    fix=f"use one of {', '.join(self.metrics)}",
                )

    def resolve(
        self, parameters: Mapping[str, Any], condition: Mapping[str, Any], *, where: str
    ) -> dict[str, Any]:
        """Parameters of one condition with defaults filled in, checked against the schema."""
        try:
            return check_params({**parameters, **condition}, self.schema, where=where)
        except ContractError as exc:
            raise InputError(
                str(exc), field=where, fix=f"see the parameters of kit {self.name} in docs/kits.md"
            ) from None

    def experiment_document(self, spec: KitSpec) -> str:
        document = {
            "format_version": 1,
            "kit": self.name,
            "experiment": spec.id,
            "conditions": {c.name: c.params for c in spec.conditions},
            "parameters": spec.parameters,
            "metrics": list(spec.metrics),
            "schema": self.schema,
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    def build(self, spec: KitSpec) -> dict[str, str]:
        if spec.kit != self.name:
            raise InputError(f"spec {spec.id} belongs to kit {spec.kit!r}", field="kit")
        return {
            "main.py": program_source(self.program, self.program_package),
            CONTRACT: program_source(CONTRACT),
            EXPERIMENT_FILE: self.experiment_document(spec),
            "requirements.txt": requirement_ranges(self.requirements),
            "README.md": self.readme(spec),
        }

    def review(self, spec: KitSpec, files: Mapping[str, str]) -> ReviewPatch:
        """The generic review, plus: experiment.json must say what the spec says."""
        patch = super().review(spec, files)
        expected = self.experiment_document(spec)
        current = files.get(EXPERIMENT_FILE)
        if current is None or _parsed(current) != json.loads(expected):
            note = ReviewNote(
                severity="P2",
                file=EXPERIMENT_FILE,
                message="missing or out of step with the spec; rewritten from the spec",
            )
            return ReviewPatch(
                files={**patch.files, EXPERIMENT_FILE: expected}, notes=(*patch.notes, note)
            )
        return patch

    def readme(self, spec: KitSpec) -> str:
        conditions = "\n".join(f"- `{c.name}`: {json.dumps(c.params)}" for c in spec.conditions)
        return (
            f"# {spec.title}\n\n{spec.hypothesis}\n\nBuilt by the ResearchOS kit `{self.name}`. "
            "Run one condition with one seed:\n\n```sh\n"
            f"RESEARCHOS_CONDITION={spec.analysis.baseline} RESEARCHOS_SEED=0 "
            "RESEARCHOS_OUTPUT_DIR=out python main.py\n```\n\n"
            f"Conditions (shared parameters: `{json.dumps(spec.parameters)}`):\n\n{conditions}\n\n"
            f"Metrics: {', '.join(spec.metrics)}. `../reproduce.sh OUT` runs every condition "
            "and seed.\n"
        )


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
