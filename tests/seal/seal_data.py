"""Small hand-made ARAs for Seal L1/L2 tests (no sandbox run needed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

REPRODUCE = '#!/usr/bin/env bash\nset -eu\nmkdir -p "$1/base/seed-0"\n'
LOCK = "# ResearchOS environment.lock v1\n# python: 3.11.7\nnumpy==2.1.0\n"
METRICS = {"accuracy": 0.913, "n": 5, "ci": [0.9, 0.926]}
TRANSCRIPT = "user: what did the run print?\nassistant: accuracy was 0.913 over 5 seeds\n"


def sha(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def base_files() -> dict[str, str]:
    return {
        "code/reproduce.sh": REPRODUCE,
        "code/environment.lock": LOCK,
        "code/src/main.py": "print('accuracy', 0.913)\n",
        "evidence/raw/metrics.json": json.dumps(METRICS),
        "evidence/raw/transcript.txt": TRANSCRIPT,
    }


def tool_ref(path: str = "evidence/raw/metrics.json") -> dict[str, Any]:
    return {
        "path": path,
        "sha256": sha(base_files()[path]),
        "kind": "run_output",
        "run_id": "run-1",
    }


def quote_ref() -> dict[str, Any]:
    path = "evidence/raw/transcript.txt"
    return {"path": path, "sha256": sha(TRANSCRIPT), "kind": "transcript_span", "locator": "L2"}


def claim(claim_id: str = "C0001", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": claim_id,
        "statement": "The classifier reaches accuracy 0.913 on the held-out split.",
        "kind": "effect",
        "status": "hypothesis",
        "conditions": {"metric": "accuracy", "dataset": "wine"},
        "evidence": [tool_ref()],
        "numbers": [
            {
                "value": 0.913,
                "metric": "accuracy:mean",
                "ci_low": 0.9,
                "ci_high": 0.926,
                "n": 5,
                "source": "evidence/raw/metrics.json#/accuracy",
            }
        ],
        "code": ["code/src/main.py"],
    }
    data.update(changes)
    return data


def make_ara(app: Any, slug: str = "demo", claims: list[dict[str, Any]] | None = None) -> Path:
    """An ARA that passes L1: code, pinned environment, evidence and the given claims."""
    app.aras.create(title="Seal test ARA", slug=slug, mode="mock")
    app.aras.write_files(
        slug,
        base_files(),
        event="code.add",
        summary="code and evidence",
        modes={"code/reproduce.sh": 0o755},
    )
    for item in claims if claims is not None else [claim()]:
        app.aras.add_claim(slug, item)
    return app.workspace.ara_path(slug)


def set_policy(app: Any, **values: Any) -> None:
    path = app.workspace.root / "system/seal-policy.yaml"
    text = path.read_text()
    for key, value in values.items():
        lines = [line for line in text.splitlines() if not line.startswith(f"{key}:")]
        text = "\n".join([*lines, f"{key}: {value}"]) + "\n"
    path.write_text(text)


def findings(report: Any, level: int) -> list[Any]:
    result = report.level(level)
    assert result is not None, f"level {level} did not run"
    return result.findings
