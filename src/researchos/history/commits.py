"""Semantic commits: ``<event>(<scope>): <summary>`` plus ``Researchos-*`` trailers.

``format_message`` writes them, ``read_log`` parses the repository history back into
structured ``HistoryEntry`` records for ``researchos log``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime

from researchos.errors import InputError
from researchos.history.git import Git

EVENT_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
TRAILER_PREFIX = "Researchos-"
_SUBJECT = re.compile(r"^(?P<event>[a-z][a-z0-9_.]*)\((?P<scope>[^)]*)\): (?P<summary>.*)$")
_FIELD_SEP, _RECORD_SEP = "\x1f", "\x1e"


@dataclass(frozen=True)
class ChangeMeta:
    """What a content change is, who made it, and what produced it."""

    event: str
    scope: str
    summary: str
    actor: str
    model_tier: str | None = None
    run_id: str | None = None
    # a tuple value writes one trailer line per item (several claims in one commit)
    extra: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not EVENT_PATTERN.match(self.event):
            raise InputError(f"event {self.event!r} must look like 'claim.add'", field="event")


@dataclass(frozen=True)
class HistoryEntry:
    commit: str
    date: str
    event: str | None
    scope: str | None
    summary: str
    actor: str | None
    trailers: dict[str, str]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def format_message(meta: ChangeMeta) -> str:
    trailers: dict[str, str | tuple[str, ...]] = {"Event": meta.event, "Actor": meta.actor}
    if meta.model_tier:
        trailers["Model-Tier"] = meta.model_tier
    if meta.run_id:
        trailers["Run"] = meta.run_id
    trailers.update(meta.extra)
    summary = _one_line(meta.summary)[:200]
    lines = [f"{meta.event}({meta.scope}): {summary}", ""]
    for key, value in trailers.items():
        values = value if isinstance(value, tuple) else (value,)
        lines += [f"{TRAILER_PREFIX}{key}: {_one_line(str(item))}" for item in values]
    return "\n".join(lines) + "\n"


def parse_message(commit: str, date: str, body: str) -> HistoryEntry:
    lines = body.strip().splitlines()
    subject = lines[0] if lines else ""
    trailers: dict[str, str] = {}
    for line in lines[1:]:
        if line.startswith(TRAILER_PREFIX) and ": " in line:
            key, value = line[len(TRAILER_PREFIX) :].split(": ", 1)
            trailers[key] = f"{trailers[key]}, {value}" if key in trailers else value
    match = _SUBJECT.match(subject)
    return HistoryEntry(
        commit=commit,
        date=date,
        event=trailers.get("Event") or (match["event"] if match else None),
        scope=match["scope"] if match else None,
        summary=match["summary"] if match else subject,
        actor=trailers.get("Actor"),
        trailers=trailers,
    )


def read_log(
    git: Git,
    *,
    ara: str | None = None,
    claim: str | None = None,
    limit: int | None = None,
    event: str | None = None,
) -> list[HistoryEntry]:
    """Structured history, newest first, filtered by ARA, claim id or event."""
    if git.head() is None:
        return []
    args = ["log", f"--format=%H{_FIELD_SEP}%aI{_FIELD_SEP}%B{_RECORD_SEP}"]
    if limit:
        args.append(f"-n{limit}")
    if claim:
        args += ["--grep", f"^{TRAILER_PREFIX}Claim: {re.escape(claim)}$"]
    if event:
        args += ["--grep", f"^{TRAILER_PREFIX}Event: {re.escape(event)}$"]
    if claim and event:
        args.append("--all-match")
    if ara:
        args += ["--", f"ara/{ara}"]
    out = git.run(*args).stdout
    entries = []
    for record in out.split(_RECORD_SEP):
        record = record.strip("\n")
        if not record:
            continue
        commit, date, body = record.split(_FIELD_SEP, 2)
        entries.append(parse_message(commit, date, body))
    return entries


def parse_date(value: str) -> datetime:
    return datetime.fromisoformat(value)
