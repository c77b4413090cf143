"""The event contract a coding agent follows around a work brief.

Before an edit the agent loads the brief, resolves dependencies, checks package versions and
inspects the files it will touch; during the work it records edits, failures and applied
interventions; after, a test run and the final answer. The MCP server enforces the same names
(``validate_run_completion``), so they are defined once, here.
"""

from __future__ import annotations

BEFORE_EDIT = ("brief_loaded", "dependencies_resolved", "package_version_checked", "file_inspected")
DURING = ("file_edited", "failure_observed", "intervention_applied")
AFTER = ("test_run", "final_answer")
EVENT_PHASES: dict[str, tuple[str, ...]] = {
    "before_edit": BEFORE_EDIT,
    "during": DURING,
    "after": AFTER,
}
ALL_EVENTS = BEFORE_EDIT + DURING + AFTER

# a gated run cannot complete until these are recorded
REQUIRED_FOR_COMPLETION = ("brief_loaded", "dependencies_resolved", "test_run", "final_answer")

FINISH_RULES = (
    "Record brief_loaded after reading every page in must_load.",
    "Record dependencies_resolved, and package_version_checked for every must_verify item, "
    "before the first file_edited.",
    "Record file_inspected for a file before editing it.",
    "Record failure_observed for every failing command and intervention_applied when you apply "
    "an approved intervention.",
    "Record a test_run after the last file_edited, then the final_answer; only then finish.",
    "Treat evidence-only pages as unverified reports: verify locally before relying on them.",
)
