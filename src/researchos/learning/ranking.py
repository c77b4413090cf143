"""The newcomer's menu for a tag: what not to try (dead ends) and what to build on.

*Avoid*: every ARA's failure traces and the landscape's retracted entries, ranked by
``recency × discount``: recency halves every ``recency_half_life_days``; past its
``discount_after`` date an item weighs ``discount_factor`` (0.25 by default). Nothing is
dropped — old dead ends sink, they never vanish. *Try*: known results and open hypotheses
on the tag, newest evidence first (contested ones are marked).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from researchos.artifacts.models import AraManifest, FailureTrace
from researchos.landscape.models import LandscapeEntry
from researchos.workspace.policies import LearningPolicy


@dataclass(frozen=True)
class MenuItem:
    kind: str  # failure_trace, retracted_entry, known_result, hypothesis
    ref: str
    title: str
    why: str
    lesson: str
    date: str
    discount_after: str | None
    discounted: bool
    recency: float
    discount: float
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def weight(
    when: datetime, discount_after: date | None, now: datetime, policy: LearningPolicy
) -> tuple[float, float, bool]:
    """(recency, discount, discounted) for an item dated ``when``."""
    age_days = max(0.0, (now - when).total_seconds() / 86400)
    recency = 0.5 ** (age_days / policy.recency_half_life_days)
    discounted = discount_after is not None and now.date() > discount_after
    return recency, policy.discount_factor if discounted else 1.0, discounted


def months_after(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    return start.replace(year=start.year + year, month=month + 1, day=min(start.day, 28))


def _tagged(tag: str, *groups: list[str]) -> bool:
    wanted = tag.casefold()
    return any(t.casefold() == wanted for group in groups for t in group)


def failure_items(
    ara: AraManifest, traces: list[FailureTrace], tag: str, now: datetime, policy: LearningPolicy
) -> list[MenuItem]:
    items = []
    for trace in traces:
        if not _tagged(tag, trace.tags, ara.tags):
            continue
        recency, discount, discounted = weight(
            trace.attribution.date, trace.discount_after, now, policy
        )
        items.append(
            MenuItem(
                kind="failure_trace",
                ref=f"ara/{ara.slug}/traces/failures/{trace.id}",
                title=trace.title,
                why=f"{trace.failure_class}: {trace.why_failed}",
                lesson=trace.lesson or "",
                date=trace.attribution.date.isoformat(),
                discount_after=trace.discount_after.isoformat(),
                discounted=discounted,
                recency=round(recency, 6),
                discount=discount,
                score=round(recency * discount, 6),
            )
        )
    return items


def _entry_tags(entry: LandscapeEntry) -> list[str]:
    return [*entry.tags, *([entry.metric, f"metric:{entry.metric}"] if entry.metric else [])]


def retracted_items(
    entries: list[LandscapeEntry], tag: str, now: datetime, policy: LearningPolicy
) -> list[MenuItem]:
    items = []
    for entry in entries:
        if entry.retraction is None or not _tagged(tag, _entry_tags(entry)):
            continue
        at = entry.retraction.at
        until = months_after(at.date(), policy.discount_after_months)
        recency, discount, discounted = weight(at, until, now, policy)
        items.append(
            MenuItem(
                kind="retracted_entry",
                ref=f"research-landscape/retracted/{entry.id}",
                title=entry.statement,
                why=f"{entry.retraction.reason}: {entry.retraction.note}".rstrip(": "),
                lesson="retracted: never re-promote this claim",
                date=at.isoformat(),
                discount_after=until.isoformat(),
                discounted=discounted,
                recency=round(recency, 6),
                discount=discount,
                score=round(recency * discount, 6),
            )
        )
    return items


def try_items(
    entries: list[LandscapeEntry], tag: str, now: datetime, policy: LearningPolicy
) -> list[MenuItem]:
    items = []
    retracted = {e.id for e in entries if e.status == "retracted"}
    for entry in entries:
        if entry.status == "retracted" or not _tagged(tag, _entry_tags(entry)):
            continue
        recency, _, _ = weight(entry.last_evidence_at, None, now, policy)
        open_doubts = [i for i in entry.contested_by if i not in retracted]
        note = f"contested by {', '.join(open_doubts)}" if open_doubts else ""
        if entry.status == "contested":
            note = f"contested: contradicts {', '.join(entry.contradicts)}"
        items.append(
            MenuItem(
                kind=entry.kind,
                ref=f"research-landscape/{entry.id}",
                title=entry.statement,
                why=note,
                lesson="",
                date=entry.last_evidence_at.isoformat(),
                discount_after=None,
                discounted=False,
                recency=round(recency, 6),
                discount=1.0,
                score=round(recency, 6),
            )
        )
    return items


def ranked(items: list[MenuItem]) -> list[MenuItem]:
    """Highest score first; ties by newest, then by ref for a stable order."""
    by_ref = sorted(items, key=lambda i: i.ref)
    by_date = sorted(by_ref, key=lambda i: i.date, reverse=True)
    return sorted(by_date, key=lambda i: i.score, reverse=True)
