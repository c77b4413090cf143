"""Fixtures for run tests: a small experiment code tree following the run contract."""

from __future__ import annotations

from pathlib import Path

import pytest

EXPERIMENT = """\
import json, os, sys
seed = int(os.environ.get("RESEARCHOS_SEED", "0"))
out = os.environ["RESEARCHOS_OUTPUT_DIR"]
with open(os.path.join(out, "metrics.jsonl"), "w") as handle:
    row = {"condition": os.environ.get("RESEARCHOS_CONDITION"), "seed": seed,
           "metric": "score", "value": seed / 10}
    handle.write(json.dumps(row) + "\\n")
print("seed", seed, "run", os.environ["RESEARCHOS_RUN_ID"])
print("to stderr", file=sys.stderr)
"""


@pytest.fixture
def experiment(tmp_path: Path) -> Path:
    code = tmp_path / "experiment"
    (code / "lib").mkdir(parents=True)
    (code / "train.py").write_text(EXPERIMENT)
    (code / "lib" / "helpers.py").write_text("VALUE = 1\n")
    (code / "__pycache__").mkdir()
    (code / "__pycache__" / "junk.pyc").write_bytes(b"\0")
    return code
