"""docs/kits.md documents every built-in kit, parameter and metric; the public API is pinned."""

from __future__ import annotations

from pathlib import Path

import researchos.kits
from researchos.kits import all_kits
from researchos.kits.program import ProgramKit

DOCS = Path(__file__).resolve().parents[2] / "docs" / "kits.md"


def test_every_builtin_kit_parameter_and_metric_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = []
    for kit in all_kits():
        if not isinstance(kit, ProgramKit) or not type(kit).__module__.startswith("researchos."):
            continue
        names = [kit.name, *kit.schema, *kit.metrics]
        missing += [f"{kit.name}: {name}" for name in names if f"`{name}`" not in text]
    assert not missing, f"add these to docs/kits.md: {missing}"


def test_the_public_api_is_stable() -> None:
    assert set(researchos.kits.__all__) == {
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
    }
    from researchos.kits.registry import all_kits, get_kit, match_kits  # the pipeline's imports

    assert callable(all_kits) and callable(get_kit) and callable(match_kits)
