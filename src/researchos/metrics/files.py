"""Metrics read from the workspace files and their git history (no store, no model)."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from researchos.artifacts.models import AraManifest, Claim, FailureTrace
from researchos.artifacts.reader import AraPaths, load_claim, load_manifest, load_trace, trace_ids
from researchos.errors import InputError
from researchos.history.commits import HistoryEntry, parse_date, read_log
from researchos.history.git import Git

SKILL_HISTORY_COMMITS = 200
_RECORD, _FIELD = "\x1e", "\x1f"


@dataclass
class AraFacts:
    slug: str
    status: str
    claims: int = 0
    with_evidence: int = 0
    failures: int = 0
    complete_failures: int = 0
    past_discount: int = 0
    seal: dict[str, bool | None] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)


def _claims(paths: AraPaths, manifest: AraManifest, facts: AraFacts) -> Iterator[Claim]:
    for claim_id in manifest.claims:
        try:
            yield load_claim(paths, claim_id)
        except InputError as exc:
            facts.unreadable.append(str(exc))


def complete(trace: FailureTrace) -> bool:
    """A failure trace a newcomer can learn from: hypothesis, lesson and failure class."""
    return bool(trace.hypothesis and trace.lesson and trace.failure_class)


def ara_facts(root: Path, today: date) -> AraFacts | None:
    paths = AraPaths(root)
    try:
        manifest = load_manifest(paths)
    except InputError:
        return None
    facts = AraFacts(slug=paths.slug, status=manifest.status)
    for claim in _claims(paths, manifest, facts):
        facts.claims += 1
        facts.with_evidence += bool(claim.evidence)
    for trace_id in trace_ids(paths, "failure"):
        try:
            trace = load_trace(paths, "failure", trace_id)
        except InputError as exc:
            facts.unreadable.append(str(exc))
            continue
        assert isinstance(trace, FailureTrace)
        facts.failures += 1
        facts.complete_failures += complete(trace)
        facts.past_discount += trace.discount_after < today
    for level in ("l1", "l2", "l3"):
        result = getattr(manifest.seal, level)
        facts.seal[level] = None if result is None else result.passed
    return facts


def all_ara_facts(ara_dir: Path, today: date) -> list[AraFacts]:
    if not ara_dir.is_dir():
        return []
    found = (ara_facts(p, today) for p in sorted(ara_dir.iterdir()) if (p / "ara.yaml").is_file())
    return [f for f in found if f is not None]


# --- promotion lag from the history ----------------------------------------------------------


def _claim_ids(entry: HistoryEntry) -> list[str]:
    value = entry.trailers.get("Claim", "")
    return [item.strip() for item in value.split(",") if item.strip()]


def promotion_lags(git: Git) -> list[dict[str, Any]]:
    """Per ``claim.promote`` commit: hours from the claim's first commit to its promotion."""
    first_seen: dict[tuple[str | None, str], datetime] = {}
    lags = []
    for entry in reversed(read_log(git)):  # oldest first
        when = parse_date(entry.date)
        for claim_id in _claim_ids(entry):
            key = (entry.scope, claim_id)
            if entry.event == "claim.promote" and key in first_seen:
                hours = (when - first_seen[key]).total_seconds() / 3600
                lags.append(
                    {"ara": entry.scope, "claim": claim_id, "hours": hours, "at": entry.date}
                )
            first_seen.setdefault(key, when)
    return lags


def lag_summary(lags: list[dict[str, Any]]) -> dict[str, Any]:
    hours = [item["hours"] for item in lags]
    if not hours:
        return {"promotions": 0, "median_hours": None, "max_hours": None}
    return {
        "promotions": len(hours),
        "median_hours": statistics.median(hours),
        "max_hours": max(hours),
    }


# --- skill curve from agents/*/skills.md ------------------------------------------------------


def adopted_skills(text: str) -> int:
    """Adopted skills in a skills.md: from its YAML frontmatter, else its ``[adopted`` marks."""
    if text.startswith("---\n") and "\n---" in text[4:]:
        front = text[4 : text.index("\n---", 4)]
        try:
            data = yaml.safe_load(front)
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("skills"), list):
            return sum(1 for s in data["skills"] if isinstance(s, dict) and s.get("adopted"))
    return sum(1 for line in text.splitlines() if "[adopted" in line)


def skill_curve(git: Git) -> list[dict[str, Any]]:
    """Adopted skills per role after every commit that changed a skills.md (oldest first)."""
    if git.head() is None:
        return []
    out = git.run(
        "log",
        f"-n{SKILL_HISTORY_COMMITS}",
        f"--format={_RECORD}%H{_FIELD}%aI",
        "--name-only",
        "--",
        "agents",
    ).stdout
    points: list[dict[str, Any]] = []
    current: dict[str, int] = {}
    for record in reversed([r for r in out.split(_RECORD) if r.strip()]):
        head, _, rest = record.partition("\n")
        sha, when = head.split(_FIELD)
        changed = [p for p in rest.split() if p.endswith("/skills.md")]
        for path in changed:
            shown = git.run("show", f"{sha}:{path}", check=False)
            current[path.split("/")[1]] = (
                adopted_skills(shown.stdout) if shown.returncode == 0 else 0
            )
        if changed:
            points.append({"at": when, "adopted": sum(current.values()), "by_role": dict(current)})
    return points
