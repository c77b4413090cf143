"""reproduce.sh: usage errors, and a failed run that does not stop the others."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
from pathlib import Path

from kit_harness import materialise

from researchos.kits import KitSpec, get_kit


def spec() -> KitSpec:
    kit = get_kit("algorithm-scaling")
    idea = next(i for i in kit.ideas("x", random.Random(0)) if i.id == "as-random-pivot-order")
    return kit.spec(idea).restrict(seeds=(0, 1))


def test_the_script_is_executable_bash_that_names_the_spec(tmp_path: Path) -> None:
    experiment = materialise(get_kit("algorithm-scaling"), spec(), tmp_path)
    script = experiment.code / "reproduce.sh"
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert f"spec sha256: {experiment.spec.digest()}" in text
    assert script.stat().st_mode & stat.S_IXUSR


def test_without_an_output_dir_it_prints_usage(tmp_path: Path) -> None:
    experiment = materialise(get_kit("algorithm-scaling"), spec(), tmp_path)
    for args in ([], [""], ["a", "b"]):
        process = subprocess.run(
            [str(experiment.code / "reproduce.sh"), *args], capture_output=True, text=True
        )
        assert process.returncode == 2 and "usage:" in process.stderr, args


def test_a_failed_run_is_reported_and_the_rest_still_run(tmp_path: Path) -> None:
    experiment = materialise(get_kit("algorithm-scaling"), spec(), tmp_path)
    document_path = experiment.code / "src" / "experiment.json"
    document = json.loads(document_path.read_text())
    del document["conditions"]["sorted"]  # the script still asks for it
    document_path.write_text(json.dumps(document))
    process = experiment.reproduce(tmp_path / "out")
    assert process.returncode == 1
    assert "FAILED: condition=sorted seed=0" in process.stderr
    assert "2 of 6 run(s) failed" in process.stderr
    done = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.jsonl"))
    assert done == [f"{c}/seed-{s}/metrics.jsonl" for c in ("random", "reversed") for s in (0, 1)]
    assert not os.listdir(tmp_path / "out" / "sorted" / "seed-0")
