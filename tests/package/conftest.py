"""A real ARA built through AraService in a real workspace, and ways to rewrite ZIPs."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from researchos.app import App, build_app
from researchos.artifacts.service import Origin
from researchos.settings import Settings, load_settings

SLUG = "sorting-study"
PAPER = "# Sorting study\n\nTimsort beats insertion sort on n=1000 [claim:C0001].\n"
REPRODUCE = "#!/bin/sh\nset -eu\npython3 code/src/experiment.py\n"


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def build_research_ara(app: App, tmp: Path) -> str:
    """Claims with evidence, traces, code/reproduce.sh and views/paper.md, all committed."""
    aras = app.aras
    aras.create(title="Sorting study", slug=SLUG, authors=["Ada Lovelace"], mode="mock")
    run = Origin("agent:runner", model_tier="fast", run_id="run-1")
    metrics = "".join(
        json.dumps({"condition": c, "seed": s, "metric": "ms", "value": v}) + "\n"
        for c, s, v in [("timsort", 1, 1.5), ("timsort", 2, 1.6), ("insertion", 1, 9.0)]
    )
    aras.add_evidence(SLUG, _write(tmp / "metrics.jsonl", metrics), origin=run)
    aras.add_evidence(SLUG, _write(tmp / "results.csv", "condition,ms\ntimsort,1.55\n"))
    figure = bytes(range(256)) * 40
    aras.add_evidence(SLUG, _write(tmp / "speed.png", figure), subdir="figures")
    failure = aras.add_trace(
        SLUG,
        "failure",
        {
            "title": "Bubble sort timed out",
            "tried": "bubble sort at n=10^6",
            "why_failed": "exceeded the 60 s wall limit",
            "failure_class": "negative_result",
            "lesson": "quadratic sorts are out at this size",
        },
    )
    aras.add_trace(
        SLUG,
        "decision",
        {"title": "Use n=1000", "decision": "n=1000", "rationale": "fits the time budget"},
    )
    claim = aras.add_claim(
        SLUG,
        {
            "statement": "Timsort beats insertion sort on n=1000",
            "kind": "comparison",
            "status": "supported",
            "traces": [failure.id],
            "flags": ["MOCK"],
            "numbers": [{"value": 1.55, "unit": "ms", "n": 2}],
        },
    )
    aras.add_evidence(SLUG, tmp / "metrics.jsonl", claim_id=claim.id, origin=run)
    aras.write_files(
        SLUG,
        {
            "code/reproduce.sh": REPRODUCE,
            "code/src/experiment.py": "print('sorting')\n",
            "code/environment.lock": "python==3.11\n",
        },
        event="code.add",
        summary="add experiment code",
        modes={"code/reproduce.sh": 0o755},
    )
    aras.write_files(SLUG, {"views/paper.md": PAPER}, event="view.compile", summary="draft")
    return SLUG


def pipeline_extra(app: App) -> dict[str, Any]:
    """What the pipeline passes: model policy, routing, seeds, code hashes and one run."""
    run_dir = app.workspace.runs_dir / "run-1"
    _write(run_dir / "metrics.jsonl", '{"condition": "timsort", "seed": 1, "value": 1.5}\n')
    _write(run_dir / "logs" / "stdout.txt", "sorted 1000 items\n")
    return {
        "model_policy": {"run_mode": "mock", "tiers": {"fast": "mock-fast"}},
        "routing": [{"phase": "drafting", "requested": "mock-strong", "resolved": "mock-strong"}],
        "code_hashes": {"spec-1": "ab" * 32},
        "seeds": [1, 2],
        "mock": True,
        "license": "https://spdx.org/licenses/CC-BY-4.0",
        "runs": [
            {
                "id": "run-1",
                "condition": "timsort",
                "seed": 1,
                "code_hash": "ab" * 32,
                "status": "succeeded_valid",
                "started": "2026-01-01T10:00:00Z",
                "ended": "2026-01-01T10:00:02Z",
                "artifacts_dir": "var/runs/run-1",
            }
        ],
    }


@pytest.fixture(scope="session")
def template_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace holding the research ARA, built once; each test gets a copy."""
    root = tmp_path_factory.mktemp("template")
    application = build_app(Settings(home=root / "ws", log_file=False), create=True)
    try:
        build_research_ara(application, root / "inputs")
    finally:
        application.close()
    return root / "ws"


@pytest.fixture
def app(clean_env: Path, template_workspace: Path) -> Iterator[App]:
    """A real workspace (git + SQLite) already holding the research ARA, as a fresh copy."""
    shutil.copytree(template_workspace, clean_env, symlinks=True)
    application = build_app(load_settings())
    yield application
    application.close()


@pytest.fixture
def research_ara(app: App) -> str:
    return SLUG


@pytest.fixture
def frozen(app: App, research_ara: str):
    """The first package of the research ARA, frozen with the pipeline's extra."""
    return app.packages.freeze(research_ara, extra=pipeline_extra(app))


def _rezip(
    source: Path,
    target: Path,
    *,
    replace: Mapping[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    add: Mapping[str, bytes] | None = None,
) -> Path:
    """Copy a ZIP member by member, changing some: a well-formed but tampered package."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in drop:
                continue
            data = (replace or {}).get(info.filename, old.read(info))
            new.writestr(info, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


@pytest.fixture
def ara_builder() -> Callable[[App, Path], str]:
    return build_research_ara


@pytest.fixture
def rezip() -> Callable[..., Path]:
    return _rezip


@pytest.fixture
def extra(app: App) -> dict[str, Any]:
    return pipeline_extra(app)


@pytest.fixture
def tree_snapshot() -> Callable[[Path], dict[str, int]]:
    def snapshot(root: Path) -> dict[str, int]:
        return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}

    return snapshot
