"""The independent reviewer pass over an experiment's files (built-in or generated).

It reads only the spec and the files, never the builder's intentions: it checks that the code
parses, honours the run contract, stays off the network and wall clock, pins its requirements
to what is installed, and adds pytest contract tests that run the experiment for real. Findings
are notes (P0/P1 block the run); fixes are full-file replacements.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import json
from collections.abc import Mapping

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from researchos.kits.environment import distributions_for, imported_modules, top_level_imports
from researchos.kits.models import KitSpec, ReviewNote, ReviewPatch

MAIN = "main.py"
REQUIREMENTS = "requirements.txt"
TESTS = "tests/test_experiment_contract.py"
CONTRACT_NAMES = (
    "RESEARCHOS_SEED",
    "RESEARCHOS_CONDITION",
    "RESEARCHOS_OUTPUT_DIR",
    "metrics.jsonl",
)
NETWORK_MODULES = frozenset(
    {"socket", "ssl", "urllib", "http", "requests", "httpx", "aiohttp", "ftplib", "smtplib"}
)
PROCESS_MODULES = frozenset({"subprocess", "multiprocessing", "ctypes"})
CLOCK_CALLS = frozenset({"time", "perf_counter", "monotonic", "process_time", "now", "utcnow"})


def review_experiment(spec: KitSpec, files: Mapping[str, str]) -> ReviewPatch:
    """Review ``files`` (paths under code/src/) for ``spec``; returns patches and notes."""
    notes: list[ReviewNote] = []
    patches: dict[str, str] = {}
    notes += _check_structure(files)
    notes += _check_contract(files)
    for path, text in sorted(files.items()):
        if path.endswith(".py") and not path.startswith("tests/"):
            notes += _check_python(path, text)
    pinned, pin_notes = pin_requirements(files)
    notes += pin_notes
    if pinned != files.get(REQUIREMENTS, ""):
        patches[REQUIREMENTS] = pinned
    patches[TESTS] = contract_tests(spec)
    notes.append(ReviewNote(severity="P3", file=TESTS, message=_tests_note(spec)))
    return ReviewPatch(files=patches, notes=tuple(notes))


def _tests_note(spec: KitSpec) -> str:
    return (
        f"added contract tests: one run of {spec.analysis.baseline!r} with seed {spec.seeds[0]} "
        "(metrics file, finite values, determinism, nothing written outside the output dir) and "
        "refusal of an unknown condition and a malformed seed"
    )


def _check_structure(files: Mapping[str, str]) -> list[ReviewNote]:
    if MAIN in files:
        return []
    return [ReviewNote(severity="P0", file=MAIN, message="no main.py: nothing can run")]


def _check_contract(files: Mapping[str, str]) -> list[ReviewNote]:
    source = "\n".join(text for path, text in files.items() if path.endswith(".py"))
    return [
        ReviewNote(
            severity="P1",
            file=MAIN,
            message=f"the code never mentions {name}: it cannot follow the run contract",
        )
        for name in CONTRACT_NAMES
        if name not in source
    ]


def _check_python(path: str, text: str) -> list[ReviewNote]:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        return [ReviewNote(severity="P0", file=path, message=f"syntax error line {exc.lineno}")]
    notes = []
    modules = top_level_imports({path: text})
    for module in sorted(modules & NETWORK_MODULES):
        notes.append(
            ReviewNote(
                severity="P1",
                file=path,
                message=f"imports {module}: runs have no network; bundle the data instead",
            )
        )
    for module in sorted(modules & PROCESS_MODULES):
        notes.append(
            ReviewNote(severity="P2", file=path, message=f"imports {module}: keep runs in-process")
        )
    if any(_is_clock_call(node) for node in ast.walk(tree)):
        notes.append(
            ReviewNote(
                severity="P2",
                file=path,
                message="reads the wall clock: timings do not reproduce; count operations instead",
            )
        )
    return notes


def _is_clock_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CLOCK_CALLS
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"time", "datetime"}
    )


def _installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def pin_requirements(files: Mapping[str, str]) -> tuple[str, list[ReviewNote]]:
    """requirements.txt pinned to the installed versions, with imports it forgot added."""
    notes: list[ReviewNote] = []
    names: list[str] = []
    for line in files.get(REQUIREMENTS, "").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            names.append(canonicalize_name(Requirement(text).name))
        except InvalidRequirement:
            notes.append(
                ReviewNote(severity="P1", file=REQUIREMENTS, message=f"unreadable line {text!r}")
            )
    for dist in sorted(distributions_for(imported_modules(files)) - set(names)):
        names.append(dist)
        notes.append(
            ReviewNote(
                severity="P3", file=REQUIREMENTS, message=f"added {dist}: the code imports it"
            )
        )
    lines = []
    for name in names:
        version = _installed_version(name)
        if version is None:
            notes.append(
                ReviewNote(severity="P1", file=REQUIREMENTS, message=f"{name} is not installed")
            )
            continue
        lines.append(f"{name}=={version}")
    return ("\n".join(lines) + "\n" if lines else ""), notes


_TESTS_TEMPLATE = '''\
"""Contract tests for experiment {experiment}, written by the ResearchOS reviewer pass.

They run main.py as a real subprocess in a temporary directory and check the run contract:
RESEARCHOS_SEED / RESEARCHOS_CONDITION / RESEARCHOS_OUTPUT_DIR in, metrics.jsonl lines
{{"condition", "seed", "metric", "value"}} out, nothing written anywhere else.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

CODE = Path(__file__).resolve().parent.parent
MAIN = CODE / "main.py"
CONDITION = {condition}
SEED = {seed}
METRICS = {metrics}
RELATIVE_TOLERANCE = {relative}
ABSOLUTE_TOLERANCE = {absolute}
TIMEOUT = {timeout}


def run_experiment(workdir, condition, seed):
    out = workdir / "out"
    env = {{key: value for key, value in os.environ.items() if not key.startswith("RESEARCHOS_")}}
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        RESEARCHOS_CONDITION=condition,
        RESEARCHOS_SEED=seed,
        RESEARCHOS_OUTPUT_DIR=str(out),
    )
    process = subprocess.run(
        [sys.executable, str(MAIN)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    return process, out


def snapshot(root):
    skip = {{"__pycache__", ".pytest_cache"}}
    return {{
        str(path.relative_to(root)): path.stat().st_mtime_ns
        for path in root.rglob("*")
        if path.is_file() and not skip & set(path.relative_to(root).parts)
    }}


def read_metrics(out):
    lines = (out / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("run")
    before = snapshot(CODE)
    process, out = run_experiment(workdir, CONDITION, str(SEED))
    return process, out, workdir, before


def test_the_run_succeeds(first_run):
    process = first_run[0]
    assert process.returncode == 0, process.stderr


def test_metrics_follow_the_contract(first_run):
    records = read_metrics(first_run[1])
    assert records, "metrics.jsonl is empty"
    for record in records:
        assert set(record) == {{"condition", "seed", "metric", "value"}}, record
        assert record["condition"] == CONDITION
        assert record["seed"] == SEED
        assert isinstance(record["value"], (int, float)) and math.isfinite(record["value"])
    assert set(METRICS) <= {{record["metric"] for record in records}}


def test_nothing_is_written_outside_the_output_dir(first_run):
    process, out, workdir, before = first_run
    assert snapshot(CODE) == before
    assert [path.name for path in workdir.iterdir()] == [out.name]


def test_the_same_seed_gives_the_same_numbers(first_run, tmp_path):
    process, out = run_experiment(tmp_path, CONDITION, str(SEED))
    assert process.returncode == 0, process.stderr
    again = {{record["metric"]: record["value"] for record in read_metrics(out)}}
    for record in read_metrics(first_run[1]):
        assert math.isclose(
            record["value"], again[record["metric"]],
            rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE,
        ), record["metric"]


def test_an_unknown_condition_is_refused(tmp_path):
    process, out = run_experiment(tmp_path, "no-such-condition", str(SEED))
    assert process.returncode != 0
    assert "no-such-condition" in process.stderr
    assert not (out / "metrics.jsonl").exists()


def test_a_malformed_seed_is_refused(tmp_path):
    process, out = run_experiment(tmp_path, CONDITION, "not-a-seed")
    assert process.returncode != 0
    assert "RESEARCHOS_SEED" in process.stderr
    assert not (out / "metrics.jsonl").exists()
'''


def contract_tests(spec: KitSpec) -> str:
    """Pytest file that runs the experiment for the baseline and the first seed."""
    return _TESTS_TEMPLATE.format(
        experiment=spec.id,
        condition=json.dumps(spec.analysis.baseline),
        seed=spec.seeds[0],
        metrics=json.dumps(list(spec.metrics)),
        relative=repr(spec.tolerance.relative),
        absolute=repr(spec.tolerance.absolute),
        timeout=repr(float(spec.run_timeout_seconds)),
    )
