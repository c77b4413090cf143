"""Stage ``specs``: the executable plan of the shortlisted idea, pre-registered.

The spec (conditions, seeds, metrics, tolerance, budget, analysis plan) is hashed and
committed to the ARA before any run, so the analysis cannot be chosen after seeing the data;
the review stage reports any later deviation from this hash.
"""

from __future__ import annotations

import json
from typing import Any

from researchos.kits.registry import get_kit
from researchos.pipeline.experiment import SPECS_DIR, shortlisted_idea
from researchos.pipeline.stages import StageContext, stage
from researchos.store import research


@stage("specs", order=30)
def write_spec(ctx: StageContext) -> dict[str, Any]:
    """Write and pre-register the spec of the shortlisted idea."""
    idea = shortlisted_idea(ctx)
    spec = get_kit(idea.kit).spec(idea)
    seeds = int(ctx.project.options["seeds"])
    if len(spec.seeds) != seeds:
        spec = spec.restrict(seeds=tuple(range(seeds)))
    digest = spec.digest()
    document = {
        "format_version": 1,
        "sha256": digest,
        "registered_by": ctx.app.actor,
        "spec": spec.to_dict(),
    }
    ctx.app.aras.write_files(
        ctx.slug,
        {f"{SPECS_DIR}/{spec.id}.json": json.dumps(document, indent=1, sort_keys=True) + "\n"},
        event="spec.register",
        summary=f"pre-register spec {spec.id} (sha256 {digest[:12]}) with seeds {list(spec.seeds)}",
    )
    with ctx.app.database.session() as session:
        research.upsert_spec(
            session,
            project_id=ctx.project.id,
            spec_id=spec.id,
            idea_id=idea.id,
            payload=spec.to_dict(),
            sha256=digest,
        )
    return {
        "summary": f"spec {spec.id}: {len(spec.conditions)} conditions x "
        f"{len(spec.seeds)} seeds, pre-registered as {digest[:12]}",
        "spec_id": spec.id,
        "sha256": digest,
        "runs": len(spec.runs()),
    }
