"""The Markdown of ``system/metrics-report.md``."""

from __future__ import annotations

from typing import Any

from researchos.metrics.report import MetricsReport

ORDER = (
    ("claim_coverage", "claim coverage"),
    ("trace_completeness", "trace completeness"),
    ("reproduction_pass_rate", "reproduction pass rate"),
    ("l2_disagreement_rate", "L2 disagreement rate"),
    ("seal_rejection_rate", "seal rejection rate"),
    ("traces_past_discount_after", "traces past discount_after"),
    ("sandbox_crash_rate", "sandbox crash rate"),
)


def _hours(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} d"


def _seal(value: bool | None) -> str:
    return "—" if value is None else ("pass" if value else "FAIL")


def _tiers(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["No model calls recorded."]
    calls = sum(r["calls"] for r in rows) or 1
    lines = [
        "| tier | calls | share | input tokens | output tokens | mock calls |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['key']} | {r['calls']} | {r['calls'] / calls:.0%} | {r['input_tokens']} | "
            f"{r['output_tokens']} | {r.get('mock_calls', 0)} |"
        )
    return lines


def render_report(report: MetricsReport) -> str:
    lines = [
        "# Metrics report",
        "",
        f"Generated {report.generated.isoformat()} by `researchos metrics` from the workspace "
        "files, their git history and the store; no model was called. Definitions: docs/seal.md.",
        "",
        "| metric | value | definition |",
        "|---|---|---|",
    ]
    for key, label in ORDER:
        ratio = report.ratios[key]
        lines.append(f"| {label} | {ratio.shown()} | {ratio.definition} |")
    lag = report.promotion_lag
    lines.append(
        f"| claim promotion lag | median {_hours(lag['median_hours'])}, max "
        f"{_hours(lag['max_hours'])} ({lag['promotions']} promotions) | first commit of a claim "
        "→ its claim.promote commit |"
    )
    latest = report.skill_curve[-1]["adopted"] if report.skill_curve else 0
    lines.append(
        f"| skill curve | {latest} adopted now | adopted skills in agents/*/skills.md over time |"
    )
    lines += [
        "",
        "## ARAs",
        "",
        "| ARA | status | claims | with evidence | failure traces | complete "
        "| past discount_after | L1 | L2 | L3 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for a in report.aras:
        lines.append(
            f"| {a.slug} | {a.status} | {a.claims} | {a.with_evidence} | {a.failures} | "
            f"{a.complete_failures} | {a.past_discount} | {_seal(a.seal.get('l1'))} | "
            f"{_seal(a.seal.get('l2'))} | {_seal(a.seal.get('l3'))} |"
        )
    lines += ["", "## Skill curve", ""]
    if report.skill_curve:
        lines += ["| after commit at | adopted skills | by role |", "|---|---|---|"]
        for point in report.skill_curve[-20:]:
            roles = ", ".join(f"{k} {v}" for k, v in sorted(point["by_role"].items()))
            lines.append(f"| {point['at']} | {point['adopted']} | {roles} |")
    else:
        lines.append("No agents/*/skills.md in the history.")
    lines += ["", "## Model-tier usage", "", *_tiers(report.tier_usage)]
    if report.unreadable:
        lines += ["", "## Files that could not be read", ""]
        lines += [f"- {u}" for u in report.unreadable[:50]]
    return "\n".join(lines) + "\n"
