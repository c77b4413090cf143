"""``researchos demo``: a scripted walk through a workspace and an ARA round-trip.

The research pipeline replaces this walk with the full offline demo once it lands.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import typer

from researchos.app import build_app, resolve_home
from researchos.artifacts.validate import validate_ara
from researchos.cli.context import state
from researchos.cli.output import say, table
from researchos.history.commits import read_log


def demo(ctx: typer.Context) -> None:
    """Create a workspace (if needed) and walk an ARA through claims, evidence and traces."""
    st = state(ctx)
    app = build_app(st.settings, home=resolve_home(st.settings, st.home), create=True)
    say(f"Workspace: {app.workspace.root}")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    slug = f"demo-{stamp}"
    aras = app.aras
    aras.create(title="Demo: mean of a fixed sample", slug=slug, authors=["demo"], mode="mock")
    values = [0.91, 0.93, 0.92, 0.95, 0.94]
    with tempfile.TemporaryDirectory() as tmp:
        metrics = Path(tmp) / "metrics.jsonl"
        metrics.write_text(
            "".join(
                json.dumps({"condition": "baseline", "seed": i, "metric": "accuracy", "value": v})
                + "\n"
                for i, v in enumerate(values)
            ),
            "utf-8",
        )
        claim = aras.add_claim(
            slug,
            {
                "statement": f"Mean accuracy over {len(values)} seeds is "
                f"{sum(values) / len(values):.3f}",
                "kind": "observation",
                "status": "supported",
                "provenance": "ai-executed",
                "conditions": {"metric": "accuracy", "condition": "baseline"},
                "numbers": [
                    {
                        "value": round(sum(values) / len(values), 3),
                        "metric": "accuracy",
                        "n": len(values),
                        "source": "evidence/raw/metrics.jsonl",
                    }
                ],
                "flags": ["MOCK"],
            },
        )
        aras.add_evidence(slug, metrics, claim_id=claim.id, kind="run_output")
    aras.add_trace(
        slug,
        "failure",
        {
            "title": "Learning rate 1.0 diverged",
            "tried": "lr=1.0",
            "why_failed": "loss became NaN",
            "failure_class": "negative_result",
            "lesson": "keep lr below 0.1",
        },
    )
    report = validate_ara(app.workspace.ara_path(slug))
    say(f"Validation: {'ok' if report.ok else report.problems}")
    table(
        "History",
        ["event", "summary"],
        ([e.event, e.summary] for e in read_log(app.workspace.git, ara=slug)),
    )
    say(f"ARA written to {app.workspace.ara_path(slug)}")
    app.close()
