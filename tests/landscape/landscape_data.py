"""Real ARAs with claims for the landscape tests: evidence files, numbers, conditions."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from researchos.app import App
from researchos.files import sha256_file

CONDITIONS = {"metric": "accuracy", "dataset": "wine", "treatment": "scaled", "baseline": "raw"}


def make_ara(app: App, slug: str = "knn", tags: tuple[str, ...] = ()) -> dict[str, str]:
    """An ARA with one evidence file; returns the evidence reference claims can cite.

    Builds the router first, so its routing-policy commit precedes the commits tests count.
    """
    _ = app.router
    app.aras.create(title=f"Study {slug}", slug=slug, tags=list(tags))
    source = app.workspace.root.parent / f"{slug}-metrics.jsonl"
    source.write_text('{"condition": "scaled", "seed": 0, "metric": "accuracy", "value": 0.9}\n')
    app.aras.add_evidence(slug, source, name="metrics.jsonl")
    return {"path": "evidence/raw/metrics.jsonl", "sha256": sha256_file(source)}


def add_claim(
    app: App,
    slug: str,
    statement: str,
    *,
    value: float,
    ci: tuple[float, float] | None = None,
    name: str = "accuracy:diff[scaled-raw]",
    conditions: dict[str, Any] | None = None,
    status: str = "supported",
    kind: str = "comparison",
    evidence: bool = True,
    tags: tuple[str, ...] = ("knn",),
) -> str:
    number: dict[str, Any] = {"value": value, "metric": name}
    if ci is not None:
        number["ci_low"], number["ci_high"] = ci
    refs = []
    if evidence:
        path = app.aras.paths(slug).root / "evidence/raw/metrics.jsonl"
        refs = [{"path": "evidence/raw/metrics.jsonl", "sha256": sha256_file(path)}]
    claim = app.aras.add_claim(
        slug,
        {
            "statement": statement,
            "kind": kind,
            "status": status,
            "conditions": dict(CONDITIONS if conditions is None else conditions),
            "numbers": [number],
            "evidence": refs,
            "tags": list(tags),
        },
    )
    return claim.id


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def head(app: App) -> str:
    return git(app.workspace.root, "rev-parse", "HEAD").strip()


def subjects(app: App, count: int) -> list[str]:
    return git(app.workspace.root, "log", f"-n{count}", "--format=%s").splitlines()


def changed(app: App, commit: str = "HEAD") -> set[str]:
    out = git(app.workspace.root, "show", "--name-only", "--no-renames", "--format=", commit)
    return {line for line in out.splitlines() if line}


def clean(app: App) -> bool:
    return git(app.workspace.root, "status", "--porcelain") == ""
