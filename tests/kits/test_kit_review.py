"""The reviewer pass finds real problems in experiment code and patches what it can."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from kit_harness import child_env, materialise

from researchos.kits import KitSpec, get_kit
from researchos.kits.environment import environment_drift, environment_lock, imported_modules
from researchos.kits.review import TESTS, review_experiment


def scaling_spec() -> KitSpec:
    kit = get_kit("algorithm-scaling")
    idea = next(i for i in kit.ideas("x", random.Random(0)) if i.id == "as-pivot-sorted")
    return kit.spec(idea)


CONTRACT_AWARE = (
    "import os\nOUT = os.environ['RESEARCHOS_OUTPUT_DIR']\n"
    "SEED = os.environ['RESEARCHOS_SEED']\nCOND = os.environ['RESEARCHOS_CONDITION']\n"
    "NAME = 'metrics.jsonl'\n"
)


def severities(patch, needle: str) -> list[str]:
    return [note.severity for note in patch.notes if needle in note.message]


def test_network_clock_and_syntax_problems_are_flagged() -> None:
    files = {
        "main.py": CONTRACT_AWARE + "import socket\nimport time\nstart = time.perf_counter()\n",
        "helpers.py": "def broken(:\n",
    }
    patch = review_experiment(scaling_spec(), files)
    assert severities(patch, "imports socket") == ["P1"]
    assert severities(patch, "reads the wall clock") == ["P2"]
    assert severities(patch, "syntax error line 1") == ["P0"]
    assert patch.blocking


def test_code_that_ignores_the_contract_is_blocked() -> None:
    patch = review_experiment(scaling_spec(), {"main.py": "print(42)\n"})
    missing = [n.message for n in patch.notes if "never mentions" in n.message]
    assert len(missing) == 4 and all(n.severity == "P1" for n in patch.blocking)
    no_main = review_experiment(scaling_spec(), {"run.py": CONTRACT_AWARE})
    assert severities(no_main, "no main.py") == ["P0"]


def test_requirements_are_pinned_and_forgotten_imports_added() -> None:
    files = {
        "main.py": CONTRACT_AWARE + "import numpy\nfrom scipy import stats\nimport helpers\n",
        "helpers.py": "import json\n",
        "requirements.txt": "numpy>=1.0  # arrays\n",
    }
    patch = review_experiment(scaling_spec(), files)
    assert patch.files["requirements.txt"] == (
        f"numpy=={version('numpy')}\nscipy=={version('scipy')}\n"
    )
    assert severities(patch, "added scipy: the code imports it") == ["P3"]
    assert not patch.blocking


def test_a_drifted_experiment_file_is_rewritten_from_the_spec() -> None:
    kit = get_kit("algorithm-scaling")
    spec = scaling_spec()
    files = kit.build(spec)
    assert kit.review(spec, files).files.keys() == {TESTS}  # nothing to fix in fresh code
    document = json.loads(files["experiment.json"])
    document["conditions"]["quick-first-sorted"]["distribution"] = "random"
    drifted = {**files, "experiment.json": json.dumps(document)}
    patch = kit.review(spec, drifted)
    assert patch.files["experiment.json"] == files["experiment.json"]
    assert severities(patch, "out of step with the spec") == ["P2"]


def test_the_reviewers_tests_catch_a_broken_experiment(tmp_path: Path) -> None:
    """The added tests can fail: sabotage the program and they must."""
    kit = get_kit("algorithm-scaling")
    spec = scaling_spec().restrict(seeds=(0,))
    experiment = materialise(kit, spec, tmp_path)
    main = experiment.code / "src" / "main.py"
    main.write_text(
        main.read_text().replace('"scaling_exponent": fit_exponent', '"exponent": fit_exponent'),
        encoding="utf-8",
    )
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=experiment.code / "src",
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 1
    assert "1 failed, 5 passed" in process.stdout
    assert "test_metrics_follow_the_contract" in process.stdout


def test_the_lock_covers_imports_and_reports_drift() -> None:
    files = {"main.py": "import numpy\nimport json\nimport local\n", "local.py": "import os\n"}
    assert imported_modules(files) == {"numpy"}
    text = environment_lock(files)
    assert f"numpy=={version('numpy')}  # record-sha256:" in text
    assert environment_drift(text) == []
    changed = text.replace(f"numpy=={version('numpy')}", "numpy==0.0.1").replace(
        "# python: ", "# python: 2.7.0-was-"
    )
    drift = environment_drift(changed)
    assert any("numpy" in line and "0.0.1 in the lock" in line for line in drift)
    assert any(line.startswith("python ") for line in drift)
    assert "not installed" in environment_drift(text + "no-such-dist==1.0\n")[0]
