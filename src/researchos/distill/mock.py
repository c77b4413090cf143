"""The mock's answer for the ``distillation`` phase: grounded proposals built from events.

Deterministic rules, each quoting the events it used:
- the last value of each printed metric -> a claim quoting the command before it and the
  line that printed the value;
- a metric printed more than once -> a checkpoint with its values;
- an error followed (within a few events) by a pivot or decision message, or by a different
  command -> a dead end (hypothesis, failure mode, lesson);
- a message announcing a choice with a reason or an alternative -> a decision.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from researchos.distill.cues import alternative, reason
from researchos.distill.metrics import NUMBER
from researchos.distill.proposal import DistillProposal
from researchos.providers.mock.responders import mock_responder
from researchos.providers.mock.schema_sample import sample_model
from researchos.providers.types import ModelRequest

Events = Sequence[dict[str, Any]]
MAX_ITEMS = 12
WINDOW = 12
ACTIONS = ("command", "tool_call", "edit")
INFRA = re.compile(
    r"ModuleNotFound|ImportError|OSError|MemoryError|FileNotFound|PermissionError|Connection"
    r"|Timeout|Killed|out of memory|command not found|No such file",
    re.I,
)
DIVERGED = re.compile(r"\bloss\b[^\n]*\bnan\b|diverg|did not converge|no improvement", re.I)
_NUMBER = re.compile(NUMBER)


@mock_responder("distillation")
def distil_events(request: ModelRequest, rng: random.Random) -> BaseModel | str:
    if request.schema is None:
        return "[MOCK] distillation: ask with schema=DistillProposal for grounded proposals."
    if request.schema is not DistillProposal:  # another caller's schema: a valid sample
        return sample_model(request.schema, rng)
    events: Events = list(request.context.get("events") or [])
    return DistillProposal.model_validate(
        {
            "title": _title(events),
            "claims": _claims(events),
            "dead_ends": _dead_ends(events),
            "decisions": _decisions(events),
            "checkpoints": _checkpoints(events),
        }
    )


def quote(event: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    return {
        "line_start": event["line_start"],
        "line_end": event["line_end"],
        "text": event["text"] if text is None else text,
        "event": event["id"],
    }


def short(text: str, limit: int = 80) -> str:
    first = text.strip().split("\n")[0]
    if len(first) <= limit:
        return first
    cut = first.rfind(" ", 0, limit)
    return first[: cut if cut > 20 else limit]


def _title(events: Events) -> str | None:
    first = next((e for e in events if e["kind"] == "message" and e.get("role") == "user"), None)
    return short(first["text"]) if first else None


def _before(
    events: Events, index: int, kinds: tuple[str, ...], window: int
) -> dict[str, Any] | None:
    for event in reversed(events[max(0, index - window) : index]):
        if event["kind"] in kinds:
            return event
    return None


def _metric_runs(events: Events) -> dict[str, list[int]]:
    runs: dict[str, list[int]] = {}
    for index, event in enumerate(events):
        if event["kind"] == "metric" and event.get("name") and event.get("value") is not None:
            runs.setdefault(str(event["name"]).lower(), []).append(index)
    return runs


def _value_text(event: dict[str, Any]) -> str:
    for match in _NUMBER.finditer(event["text"]):
        if float(match.group(0)) == abs(float(event["value"])):
            return match.group(0)
    return repr(float(event["value"]))


def _claims(events: Events) -> list[dict[str, Any]]:
    claims = []
    for indexes in list(_metric_runs(events).values())[:MAX_ITEMS]:
        metric = events[indexes[-1]]
        command = _before(events, indexes[-1], ("command",), 4 * WINDOW)
        unit = metric.get("unit") or ""
        shown = f"{metric['name']} {_value_text(metric)}{unit}"
        if command is not None:
            statement = f"Running `{short(command['text'])}` printed {shown}."
            quotes = [quote(command, short(command["text"])), quote(metric)]
        else:
            statement, quotes = f"The session printed {shown}.", [quote(metric)]
        claims.append(
            {
                "statement": statement,
                "kind": "observation",
                "quotes": quotes,
                "numbers": [
                    {"value": metric["value"], "metric": metric["name"], "unit": unit or None}
                ],
                "conditions": {"metric": metric["name"]},
                "falsification": f"Re-running it prints a different {metric['name']}.",
                "tags": ["metric"],
            }
        )
    return claims


def _checkpoints(events: Events) -> list[dict[str, Any]]:
    checkpoints = []
    for indexes in _metric_runs(events).values():
        if len(indexes) < 2:
            continue
        picked = [*indexes[:5], indexes[-1]] if len(indexes) > 6 else indexes
        metrics = [events[i] for i in picked]
        name = metrics[0]["name"]
        values = ", ".join(_value_text(m) for m in metrics)
        checkpoints.append(
            {
                "title": f"{name} over the session",
                "description": f"{name} was printed {len(indexes)} times; values: {values}.",
                "numbers": [
                    {"value": m["value"], "metric": name, "unit": m.get("unit")} for m in metrics
                ],
                "quotes": _unique_quotes(metrics),
                "tags": ["metric"],
            }
        )
    return checkpoints[: MAX_ITEMS // 2]


def _unique_quotes(events: Events) -> list[dict[str, Any]]:
    seen, quotes = set(), []
    for event in events:
        key = (event["line_start"], event["text"])
        if key not in seen:
            seen.add(key)
            quotes.append(quote(event))
    return quotes


def _pivot_after(events: Events, index: int, tried: dict[str, Any] | None) -> dict[str, Any] | None:
    following = events[index + 1 : index + 1 + WINDOW]
    said = [e for e in following if e["kind"] == "message" and e.get("signal")]
    if said:  # the message that announces the change: its decision, else its last pivot
        same = [e for e in said if e["line_start"] == said[0]["line_start"]]
        return next((e for e in same if e["signal"] == "decision"), same[-1])
    for event in following:
        if event["kind"] == "command" and (tried is None or event["text"] != tried["text"]):
            return event
    return None


def _dead_ends(events: Events) -> list[dict[str, Any]]:
    dead_ends, seen = [], set()
    for index, error in enumerate(events):
        if error["kind"] != "error":
            continue
        tried = _before(events, index, ACTIONS, WINDOW)
        pivot = _pivot_after(events, index, tried)
        failure = error["text"].rstrip().split("\n")[-1].strip()
        if pivot is None or (failure, tried and tried["text"]) in seen:
            continue
        seen.add((failure, tried and tried["text"]))
        dead_ends.append(_dead_end(error, failure, tried, pivot))
    return dead_ends[:MAX_ITEMS]


def _dead_end(
    error: dict[str, Any], failure: str, tried: dict[str, Any] | None, pivot: dict[str, Any]
) -> dict[str, Any]:
    what = short(tried["text"]) if tried else short(failure)
    lesson = (
        pivot["text"] if pivot["kind"] == "message" else f"Switched to `{short(pivot['text'])}`."
    )
    quotes = [quote(tried, short(tried["text"]))] if tried else []
    quotes += [quote(error, failure), quote(pivot, short(pivot["text"], 200))]
    text = error["text"]
    kind = "infra" if INFRA.search(text) else "negative_result" if DIVERGED.search(text) else "bug"
    return {
        "title": f"{what} failed: {short(failure, 60)}",
        "hypothesis": f"`{what}` would run and give a usable result.",
        "tried": what,
        "failure_mode": failure,
        "lesson": short(lesson, 200),
        "failure_class": kind,
        "pivot": short(pivot["text"], 200),
        "quotes": quotes,
        "tags": ["dead-end"],
    }


def _decisions(events: Events) -> list[dict[str, Any]]:
    decisions, seen = [], set()
    for event in events:
        if event["kind"] != "message" or event.get("signal") != "decision":
            continue
        sentence = event["text"].strip()
        if sentence in seen:
            continue
        seen.add(sentence)
        dropped = alternative(sentence)
        decisions.append(
            {
                "title": short(sentence, 80),
                "decision": sentence,
                "rationale": reason(sentence) or sentence,
                "alternatives": [dropped] if dropped else [],
                "quotes": [quote(event)],
                "tags": ["decision"],
            }
        )
    return decisions[:MAX_ITEMS]
