"""``code/reproduce.sh``: one command that re-runs every condition × seed of a spec.

The script lays its outputs out exactly as the pipeline's runs stage does
(``<out>/<condition>/seed-<n>/metrics.jsonl``), so Seal L3 can diff a reproduction against the
recorded runs file by file. It runs ``src/main.py`` next to itself with the interpreter in
``$PYTHON`` (default ``python3``), keeps going after a failed run and exits 1 if any failed.
"""

from __future__ import annotations

import shlex

from researchos.kits.models import KitSpec

MAIN = "src/main.py"

_TEMPLATE = """\
#!/usr/bin/env bash
# Reproduce experiment {experiment} (kit {kit}): {n_conditions} condition(s) x {n_seeds} seed(s).
# Pre-registered spec sha256: {digest}
#
# Usage: ./reproduce.sh OUTPUT_DIR
#   Writes OUTPUT_DIR/<condition>/seed-<n>/metrics.jsonl (and the run's other files).
#   Set PYTHON to an interpreter with the packages pinned in environment.lock.
set -uo pipefail

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 OUTPUT_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
out="$1"
python="${{PYTHON:-python3}}"
conditions=({conditions})
seeds=({seeds})
failed=0

for condition in "${{conditions[@]}}"; do
  for seed in "${{seeds[@]}}"; do
    dir="$out/$condition/seed-$seed"
    mkdir -p "$dir"
    echo "run: condition=$condition seed=$seed" >&2
    if ! env -u RESEARCHOS_PARAMS PYTHONDONTWRITEBYTECODE=1 \\
        RESEARCHOS_CONDITION="$condition" RESEARCHOS_SEED="$seed" RESEARCHOS_OUTPUT_DIR="$dir" \\
        "$python" "$here/{main}"; then
      echo "FAILED: condition=$condition seed=$seed" >&2
      failed=$((failed + 1))
    fi
  done
done

if [ "$failed" -gt 0 ]; then
  echo "$failed of {n_runs} run(s) failed" >&2
  exit 1
fi
echo "all {n_runs} run(s) written under $out" >&2
"""


def reproduce_script(spec: KitSpec) -> str:
    """The text of ``code/reproduce.sh`` for ``spec``; write it with mode 0o755."""
    return _TEMPLATE.format(
        experiment=spec.id,
        kit=spec.kit,
        digest=spec.digest(),
        n_conditions=len(spec.conditions),
        n_seeds=len(spec.seeds),
        n_runs=len(spec.runs()),
        conditions=" ".join(shlex.quote(name) for name in spec.condition_names),
        seeds=" ".join(str(seed) for seed in spec.seeds),
        main=MAIN,
    )
