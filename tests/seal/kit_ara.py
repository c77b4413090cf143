"""Build a real ARA from a built-in kit, the way the pipeline does, for Seal tests and bench.

The spec is committed under ``code/specs/`` with the code (kit.build + review),
``code/reproduce.sh`` and ``code/environment.lock``; then ``reproduce.sh`` runs once in the
real sandbox, its outputs become ``evidence/raw/runs/<condition>/seed-<n>/...`` and the
analysis turns them into claims with figures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from researchos.analysis import AnalysisPlan, MetricsInput, analyse, write_analysis
from researchos.artifacts.service import Origin
from researchos.files import dump_yaml, iter_files
from researchos.kits import KitSpec, get_kit
from researchos.runs.models import RunRecord, RunSpec

RUNS = "evidence/raw/runs"


@dataclass
class KitAra:
    slug: str
    spec: KitSpec
    record: RunRecord
    root: Path

    def metrics_file(self, condition: str, seed: int) -> Path:
        return self.root / RUNS / condition / f"seed-{seed}" / "metrics.jsonl"


def kit_spec(
    kit_name: str = "monte-carlo",
    idea_id: str = "mc-pi-abs-error",
    seeds: tuple[int, ...] = (0, 1, 2),
) -> KitSpec:
    kit = get_kit(kit_name)
    idea = next(i for i in kit.ideas("estimate pi", random.Random(0)) if i.id == idea_id)
    return kit.spec(idea).restrict(seeds=seeds)


def code_files(spec: KitSpec, *, with_spec: bool = True) -> dict[str, str]:
    kit = get_kit(spec.kit)
    built = kit.build(spec)
    files = kit.review(spec, built).apply(built)
    out = {f"code/src/{path}": text for path, text in files.items()}
    out["code/reproduce.sh"] = kit.reproduce_script(spec)
    out["code/environment.lock"] = kit.environment_lock(files)
    if with_spec:
        out[f"code/specs/{spec.id}.yaml"] = dump_yaml(spec.to_dict())
    return out


def write_code(app: Any, slug: str, spec: KitSpec, *, with_spec: bool = True) -> None:
    app.aras.write_files(
        slug,
        code_files(spec, with_spec=with_spec),
        event="code.add",
        summary=f"code, spec and reproduction for {spec.id}",
        modes={"code/reproduce.sh": 0o755},
    )


def run_once(app: Any, slug: str) -> tuple[RunRecord, Path]:
    record = app.runs.run(
        RunSpec(
            command=["./reproduce.sh", "out"],
            code_dir=app.aras.paths(slug).code_dir,
            env={"PYTHON": "python"},
            label=f"first run of {slug}",
        )
    )
    assert record.result_class == "succeeded", (record.error, record.notes)
    return record, app.workspace.runs_dir / record.id / "work" / "out"


def record_outputs(app: Any, slug: str, record: RunRecord, out: Path) -> None:
    files = {f"{RUNS}/{p.relative_to(out).as_posix()}": p.read_bytes() for p in iter_files(out)}
    app.aras.write_files(
        slug,
        files,
        event="evidence.add",
        summary=f"record the outputs of run {record.id}",
        origin=Origin(app.actor, run_id=record.id),
    )


def analyse_outputs(app: Any, slug: str, spec: KitSpec, record: RunRecord, out: Path) -> None:
    inputs = [
        MetricsInput(
            run_id=record.id,
            path=out / condition / f"seed-{seed}" / "metrics.jsonl",
            ara_path=f"{RUNS}/{condition}/seed-{seed}/metrics.jsonl",
        )
        for condition, seed in spec.runs()
    ]
    plan = AnalysisPlan(
        primary_metric=spec.analysis.primary_metric,
        secondary_metrics=list(spec.analysis.secondary_metrics),
        baseline=spec.analysis.baseline,
        direction=spec.analysis.direction,
        alpha=spec.analysis.alpha,
    )
    result = analyse(plan, inputs, context={"kit": spec.kit}, code=["code/src/main.py"])
    write_analysis(app, slug, result, Origin("agent:analysis", run_id=record.id))


def build_kit_ara(app: Any, slug: str = "mc-pi", spec: KitSpec | None = None) -> KitAra:
    """A complete, reproducible ARA from a real kit run in the real sandbox."""
    spec = spec or kit_spec()
    app.aras.create(title=spec.title, slug=slug, mode="mock")
    write_code(app, slug, spec)
    record, out = run_once(app, slug)
    record_outputs(app, slug, record, out)
    analyse_outputs(app, slug, spec, record, out)
    return KitAra(slug, spec, record, app.workspace.ara_path(slug))
