"""Experiment kits: plugins that turn a research brief into real, runnable experiments.

The stable API for the pipeline:

    from researchos.kits import get_kit, all_kits, match_kits
    kit, score = match_kits(brief)[0]
    idea = kit.ideas(brief, random.Random(seed))[0]
    spec = kit.spec(idea)                      # KitSpec: conditions x seeds, analysis plan
    files = kit.build(spec)                    # {"main.py": ..., ...} under code/src/
    patch = kit.review(spec, files)            # ReviewPatch: tests + fixes + notes
    files = patch.apply(files)
    kit.reproduce_script(spec); kit.environment_lock(files)

See docs/kits.md for the interface and how to publish a kit through the ``researchos.kits``
entry-point group.
"""

from researchos.kits.base import Kit
from researchos.kits.models import (
    AnalysisPlan,
    Condition,
    IdeaFlag,
    IdeaSeed,
    KitSpec,
    ReviewNote,
    ReviewPatch,
    Tolerance,
)
from researchos.kits.registry import (
    ENTRY_POINT_GROUP,
    KitRegistry,
    all_kits,
    get_kit,
    kit,
    match_kits,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "AnalysisPlan",
    "Condition",
    "IdeaFlag",
    "IdeaSeed",
    "Kit",
    "KitRegistry",
    "KitSpec",
    "ReviewNote",
    "ReviewPatch",
    "Tolerance",
    "all_kits",
    "get_kit",
    "kit",
    "match_kits",
]
