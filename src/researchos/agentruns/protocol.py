"""The run protocol as pure functions over a run's events: violations, compliance, next action.

The event names and the completion gate come from ``knowledge.contract``. Two kinds of
findings:

- **blocking** violations keep a gated run from completing: a required event is missing
  (pre-work, dependency loading, verification, final answer), the brief's must-load pages or
  must-verify packages were not covered, or no test ran after the last edit;
- **findings** are recorded and counted against compliance but do not block: pre-work recorded
  only after the first edit, a file edited without being inspected first, a failing test run
  with no ``failure_observed`` after it.

Compliance is the share of six fixed checks a run passes, so runs are comparable whatever
they did (a run that edits nothing is not excused from pre-work).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from researchos.knowledge.contract import REQUIRED_FOR_COMPLETION

COMPLIANCE_CHECKS = (
    "pre_work",
    "versions_checked",
    "inspected_before_edit",
    "verified_after_edit",
    "failures_recorded",
    "final_answer",
)


@dataclass(frozen=True)
class Event:
    seq: int
    name: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Contract:
    """What a linked brief asks for (empty when the run has no brief)."""

    brief_id: str | None = None
    must_load: tuple[str, ...] = ()
    must_verify_packages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    blocking: bool
    seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "message": self.message,
            "blocking": self.blocking,
            "seq": self.seq,
        }


def _first(events: Sequence[Event], name: str) -> Event | None:
    return next((e for e in events if e.name == name), None)


def _seqs(events: Sequence[Event], name: str) -> list[int]:
    return [e.seq for e in events if e.name == name]


def loaded_pages(events: Sequence[Event]) -> set[str]:
    return {str(p) for e in events if e.name == "brief_loaded" for p in e.detail.get("pages", [])}


def checked_packages(events: Sequence[Event]) -> set[str]:
    return {
        str(e.detail.get("package", "")).lower()
        for e in events
        if e.name == "package_version_checked"
    }


def _missing(events: Sequence[Event]) -> list[Violation]:
    names = {e.name for e in events}
    return [
        Violation(f"missing:{name}", f"no {name} event was recorded", True)
        for name in REQUIRED_FOR_COMPLETION
        if name not in names
    ]


def _contract_gaps(events: Sequence[Event], contract: Contract) -> list[Violation]:
    found = []
    if _first(events, "brief_loaded") is not None:
        unloaded = [p for p in contract.must_load if p not in loaded_pages(events)]
        if unloaded:
            found.append(
                Violation(
                    "must_load",
                    f"brief_loaded does not list must-load page(s): {', '.join(unloaded)}",
                    True,
                )
            )
    unchecked = [
        p for p in contract.must_verify_packages if p.lower() not in checked_packages(events)
    ]
    if unchecked:
        found.append(
            Violation(
                "must_verify",
                f"no package_version_checked for: {', '.join(unchecked)}",
                True,
            )
        )
    return found


def _verification(events: Sequence[Event]) -> list[Violation]:
    edits, tests = _seqs(events, "file_edited"), _seqs(events, "test_run")
    if edits and tests and max(tests) < max(edits):
        return [
            Violation(
                "unverified_edit",
                "no test_run after the last file_edited",
                True,
                seq=max(edits),
            )
        ]
    return []


def _order_findings(events: Sequence[Event]) -> list[Violation]:
    found = []
    first_edit = _first(events, "file_edited")
    if first_edit is not None:
        for name in ("brief_loaded", "dependencies_resolved"):
            event = _first(events, name)
            if event is not None and event.seq > first_edit.seq:
                found.append(
                    Violation(
                        "pre_work_after_edit",
                        f"{name} was recorded after the first file_edited",
                        False,
                        seq=event.seq,
                    )
                )
    inspected: set[str] = set()
    for event in events:
        path = str(event.detail.get("file", ""))
        if event.name == "file_inspected":
            inspected.add(path)
        elif event.name == "file_edited" and path not in inspected:
            found.append(
                Violation(
                    "edit_without_inspection",
                    f"{path} was edited without a file_inspected before it",
                    False,
                    seq=event.seq,
                )
            )
    return found + _unrecorded_failures(events)


def _unrecorded_failures(events: Sequence[Event]) -> list[Violation]:
    found = []
    for index, event in enumerate(events):
        if event.name != "test_run" or event.detail.get("passed") is not False:
            continue
        later = events[index + 1 :]
        stop = next(
            (i for i, e in enumerate(later) if e.name in ("test_run", "file_edited")), len(later)
        )
        if not any(e.name == "failure_observed" for e in later[:stop]):
            found.append(
                Violation(
                    "failure_unrecorded",
                    "a failing test_run has no failure_observed after it",
                    False,
                    seq=event.seq,
                )
            )
    return found


def violations(events: Sequence[Event], contract: Contract) -> list[Violation]:
    """Every violation of the contract, blocking ones first."""
    found = [
        *_missing(events),
        *_contract_gaps(events, contract),
        *_verification(events),
        *_order_findings(events),
    ]
    return sorted(found, key=lambda v: (not v.blocking, v.seq or 0))


def compliance_checks(events: Sequence[Event], contract: Contract) -> dict[str, bool]:
    """The six checks behind the compliance score."""
    found = violations(events, contract)
    rules = {v.rule for v in found}
    names = {e.name for e in events}
    brief_ok = contract.brief_id is not None and "must_load" not in rules
    return {
        "pre_work": {"brief_loaded", "dependencies_resolved"} <= names
        and "pre_work_after_edit" not in rules,
        "versions_checked": brief_ok and "must_verify" not in rules,
        "inspected_before_edit": "edit_without_inspection" not in rules,
        "verified_after_edit": "test_run" in names and "unverified_edit" not in rules,
        "failures_recorded": "failure_unrecorded" not in rules,
        "final_answer": "final_answer" in names,
    }


def compliance(events: Sequence[Event], contract: Contract) -> float:
    checks = compliance_checks(events, contract)
    return sum(checks.values()) / len(checks)


def next_action(events: Sequence[Event], contract: Contract) -> dict[str, str]:
    """The next thing the agent must do, as {action, event, why}."""
    names = {e.name for e in events}
    steps = [
        ("brief_loaded", "load the work brief (get_work_brief) and read every must_load page"),
        ("dependencies_resolved", "resolve the project's dependencies (resolve_dependencies)"),
    ]
    for event, why in steps:
        if event not in names:
            return {"action": "record_run_event", "event": event, "why": why}
    unchecked = [
        p for p in contract.must_verify_packages if p.lower() not in checked_packages(events)
    ]
    if unchecked:
        return {
            "action": "record_run_event",
            "event": "package_version_checked",
            "why": f"check the installed version of {unchecked[0]}",
        }
    if "file_edited" not in names:
        return {
            "action": "record_run_event",
            "event": "file_inspected",
            "why": "inspect the file you will change, then edit it (file_edited)",
        }
    if _verification(events) or "test_run" not in names:
        return {"action": "record_run_event", "event": "test_run", "why": "run the tests"}
    if "final_answer" not in names:
        return {"action": "record_run_event", "event": "final_answer", "why": "give the answer"}
    return {"action": "complete_run", "event": "", "why": "every required event is recorded"}
