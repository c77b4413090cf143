"""Helpers for the browser tests: logging in, screenshots, and an ARA built for browsing."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "console"
DOCS_SHOTS = ROOT / "docs" / "console"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def login(page: Any, server: Any, next_path: str = "/") -> None:
    page.goto(server.url(f"/login?next={next_path}"))
    page.get_by_label("Workspace token").fill(server.token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server.url(next_path))


def shot(page: Any, name: str, *, docs: bool = False) -> Path:
    """Save a full-page screenshot as a test artefact (and into docs/console/ when asked to
    by SCREENSHOTS_TO_DOCS=1, so the suite does not rewrite docs on every run)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    if docs and os.environ.get("SCREENSHOTS_TO_DOCS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS_SHOTS / f"{name}.png")
    return target


@dataclass(frozen=True)
class Study:
    slug: str
    claim: str
    null_claim: str
    metrics: str
    figure: str


def _figure(path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3), dpi=80)
    ax.bar(["raw", "standardised"], [0.71, 0.95], yerr=[0.03, 0.02], color=["#888", "#0b5cad"])
    ax.set_ylabel("accuracy")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def build_study(app: Any, tmp: Path, slug: str = "knn-study") -> Study:
    """An ARA with two claims, raw evidence, a figure, traces and a compiled paper view."""
    from researchos.drafts import compile_view

    aras = app.aras
    aras.create(title="k-NN and feature scaling", slug=slug, mode="mock", authors=["Ada"])
    metrics = tmp / "metrics.jsonl"
    metrics.write_text(
        "".join(
            f'{{"condition": "{c}", "seed": {s}, "metric": "accuracy", "value": {v}}}\n'
            for c, v in (("raw", 0.71), ("standardised", 0.95))
            for s in range(3)
        )
    )
    claim = aras.add_claim(
        slug,
        {
            "statement": "Standardising features raises k-NN accuracy on wine to 0.95.",
            "kind": "comparison",
            "status": "supported",
            "confidence": 0.9,
            "conditions": {"metric": "accuracy", "dataset": "wine"},
            "numbers": [
                {"value": 0.95, "metric": "accuracy", "ci_low": 0.93, "ci_high": 0.97, "n": 3}
            ],
            "flags": ["MOCK"],
        },
    )
    aras.add_evidence(slug, metrics, claim_id=claim.id, kind="run_output", locator="L4-L6")
    aras.add_evidence(
        slug, _figure(tmp / "accuracy.png"), subdir="figures", claim_id=claim.id, kind="figure"
    )
    null = aras.add_claim(
        slug,
        {
            "statement": "The number of neighbours <b>does not</b> matter here.",
            "kind": "null_result",
            "status": "supported",
        },
    )
    aras.add_trace(
        slug,
        "failure",
        {
            "title": "Cosine distance",
            "tried": "k-NN with cosine distance",
            "why_failed": "no better than raw features",
            "failure_class": "negative_result",
            "lesson": "scale first",
        },
    )
    aras.add_trace(
        slug,
        "decision",
        {"title": "Use wine", "decision": "use the wine dataset", "rationale": "bundled, offline"},
    )
    seal = {
        "l1": {"passed": True, "summary": "structure and references valid"},
        "l2": {"passed": False, "summary": "1 claim held back", "findings": ["C0002: no evidence"]},
    }
    aras.update_manifest(slug, {"seal": seal}, event="seal.record", summary="record seal L1, L2")
    compile_view(aras, slug)
    return Study(
        slug=slug,
        claim=claim.id,
        null_claim=null.id,
        metrics="evidence/raw/metrics.jsonl",
        figure="evidence/figures/accuracy.png",
    )
