"""A small harness: write a kit's experiment to disk the way an ARA holds it, and run it.

Runs are plain ``subprocess`` calls with the run-contract variables, exactly what the sandbox
will do later; nothing here depends on the sandbox.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from researchos.kits import IdeaSeed, Kit, KitSpec, ReviewPatch, get_kit

BRIEF = "Compare methods on the wine dataset, estimate pi, and sort with quicksort."


def child_env(**extra: str) -> dict[str, str]:
    """The current environment without any RESEARCHOS_* leaking in, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RESEARCHOS_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def read_metrics(path: Path) -> list[dict[str, object]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def metric_values(path: Path) -> dict[str, float]:
    return {str(r["metric"]): float(r["value"]) for r in read_metrics(path)}  # type: ignore[arg-type]


@dataclass
class Experiment:
    """An experiment on disk: ``code/src/`` (built + reviewed), reproduce.sh, environment.lock."""

    kit: Kit
    spec: KitSpec
    code: Path
    files: dict[str, str]
    patch: ReviewPatch
    timings: list[float] = field(default_factory=list)

    @property
    def main(self) -> Path:
        return self.code / "src" / "main.py"

    def run(
        self, condition: str, seed: int | str, out: Path, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        env = child_env(
            RESEARCHOS_CONDITION=condition,
            RESEARCHOS_SEED=str(seed),
            RESEARCHOS_OUTPUT_DIR=str(out),
            **extra,
        )
        started = time.perf_counter()
        process = subprocess.run(
            [sys.executable, str(self.main)],
            env=env,
            cwd=out.parent if out.parent.exists() else None,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.timings.append(time.perf_counter() - started)
        return process

    def reproduce(self, out: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.code / "reproduce.sh"), str(out)],
            env=child_env(PYTHON=sys.executable),
            capture_output=True,
            text=True,
            timeout=300,
        )


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def materialise(kit: Kit, spec: KitSpec, root: Path) -> Experiment:
    """Build, review and lay out ``spec`` under ``root/code`` as an ARA's code/ directory."""
    built = kit.build(spec)
    patch = kit.review(spec, built)
    files = patch.apply(built)
    code = root / "code"
    write_tree(code / "src", files)
    script = code / "reproduce.sh"
    script.write_text(kit.reproduce_script(spec), encoding="utf-8")
    script.chmod(0o755)
    (code / "environment.lock").write_text(kit.environment_lock(files), encoding="utf-8")
    return Experiment(kit, spec, code, files, patch)


def find_idea(kit_name: str, idea_id: str, brief: str = BRIEF) -> IdeaSeed:
    kit = get_kit(kit_name)
    for idea in kit.ideas(brief, random.Random(0)):
        if idea.id == idea_id:
            return idea
    raise AssertionError(f"kit {kit_name} proposed no idea {idea_id}")


def restricted_spec(
    kit_name: str, idea_id: str, conditions: tuple[str, ...], seeds: tuple[int, ...] = (0, 1)
) -> KitSpec:
    kit = get_kit(kit_name)
    return kit.spec(find_idea(kit_name, idea_id)).restrict(conditions=conditions, seeds=seeds)
