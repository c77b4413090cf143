"""Agent runs: briefs handed out, runs started, events recorded, completion gated.

Everything is durable in the store (``store.agent_runs``), so a run survives a restart of the
MCP server and a matrix can read what an agent recorded. Bad input and events out of order
(an unknown run, an event after the final answer or after completion, a brief that does not
exist) are ResearchOSError subclasses; protocol violations (an edit before the brief, no test
after the last edit) are accepted and recorded, because measuring them is the point.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from researchos.agentruns import protocol
from researchos.agentruns.details import DECISION, check_detail, phase_of
from researchos.errors import Conflict, InputError, NotFound
from researchos.store import agent_runs as store
from researchos.store.database import Database

if TYPE_CHECKING:
    from researchos.knowledge.brief_model import AgentWorkContext

MAX_TASK = 4000
MAX_NAME = 128
OUTCOMES = ("succeeded", "failed", "abandoned")


def _now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}-{_now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    if required and not value.strip():
        raise InputError("must not be empty", field=field)
    if len(value) > limit:
        raise InputError(f"is longer than {limit} characters", field=field)
    return value


def contract_of(brief: store.BriefRecord | None) -> protocol.Contract:
    if brief is None:
        return protocol.Contract()
    document = brief.document
    packages = {d["package"] for d in document.get("dependency_knowledge", [])}
    return protocol.Contract(
        brief_id=brief.id,
        must_load=tuple(document.get("presentation_contract", {}).get("must_load", [])),
        must_verify_packages=tuple(sorted(packages)),
    )


def _events(records: Sequence[store.EventRecord]) -> list[protocol.Event]:
    return [protocol.Event(r.seq, r.event, r.detail) for r in records if r.event != DECISION]


class AgentRunService:
    def __init__(self, database: Database, *, actor: str = "user") -> None:
        self.database = database
        self.actor = actor

    # --- briefs ----------------------------------------------------------------------------

    def store_brief(self, brief: AgentWorkContext, *, repo: str | None = None) -> str:
        record = store.BriefRecord(
            id=new_id("br"),
            task=brief.task,
            created=_now(),
            agent=dict(brief.agent),
            repo=repo,
            document=brief.model_dump(mode="json"),
        )
        with self.database.session() as session:
            store.insert_brief(session, brief=record)
        return record.id

    def brief(self, brief_id: str) -> store.BriefRecord:
        with self.database.session() as session:
            found = store.get_brief(session, brief_id=brief_id)
        if found is None:
            raise NotFound(f"no work brief {brief_id!r}", fix="call get_work_brief first")
        return found

    # --- runs ------------------------------------------------------------------------------

    def start(
        self,
        *,
        task: str,
        agent: str = "",
        model: str = "",
        toolchain: str = "",
        repo: str | None = None,
        brief_id: str | None = None,
        gated: bool = True,
        tag: str | None = None,
    ) -> store.AgentRunRecord:
        _text(task, "task", MAX_TASK, required=True)
        for name, value in (("agent", agent), ("model", model), ("toolchain", toolchain)):
            _text(value, name, MAX_NAME)
        if brief_id is not None:
            self.brief(brief_id)
        run = store.AgentRunRecord(
            id=new_id("ar"),
            task=task,
            agent=agent,
            model=model,
            toolchain=toolchain,
            repo=repo,
            brief_id=brief_id,
            gated=gated,
            status="open",
            tag=tag,
            created=_now(),
        )
        with self.database.session() as session:
            store.insert_run(session, run=run)
        return run

    def get(self, run_id: str) -> store.AgentRunRecord:
        with self.database.session() as session:
            found = store.get_run(session, run_id=run_id)
        if found is None:
            raise NotFound(f"no agent run {run_id!r}", fix="start one with record_run_start")
        return found

    def list_runs(self, *, tag: str | None = None, limit: int = 100) -> list[store.AgentRunRecord]:
        with self.database.session() as session:
            return store.list_runs(session, tag=tag, limit=limit)

    def events(self, run_id: str) -> list[store.EventRecord]:
        with self.database.session() as session:
            return store.list_events(session, run_id=run_id)

    def _open(self, run_id: str) -> store.AgentRunRecord:
        run = self.get(run_id)
        if run.status != "open":
            raise Conflict(
                f"agent run {run_id} is {run.status}: events after completion are refused",
                fix="start a new run with record_run_start",
            )
        return run

    def record_event(
        self, run_id: str, event: str, detail: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Append one event; returns its position and the next required action."""
        run = self._open(run_id)
        phase = phase_of(event)
        clean = check_detail(event, detail)
        if any(e.event == "final_answer" for e in self.events(run_id)) and event != DECISION:
            raise Conflict(
                f"{event} after final_answer: the final answer must be the last event",
                fix="complete the run (complete_run), or start a new one",
            )
        self._link_brief(run, clean.get("brief_id"))
        with self.database.session() as session:
            seq = store.append_event(
                session, run_id=run_id, event=event, phase=phase, at=_now(), detail=clean
            )
        return {"run_id": run_id, "seq": seq, "event": event, "phase": phase, **self._state(run_id)}

    def link_brief(self, run_id: str, brief_id: str) -> None:
        """Attach a brief to an open run that has none (the same brief again is a no-op)."""
        self._link_brief(self._open(run_id), brief_id)

    def _link_brief(self, run: store.AgentRunRecord, brief_id: str | None) -> None:
        if brief_id is None or brief_id == run.brief_id:
            return
        if run.brief_id is not None:
            raise Conflict(
                f"run {run.id} follows brief {run.brief_id}, not {brief_id}",
                fix="record the brief the run was started with",
            )
        self.brief(brief_id)
        with self.database.session() as session:
            store.update_run(session, run_id=run.id, changes={"brief_id": brief_id})

    def record_decision(
        self, run_id: str, *, decision: str, rationale: str, alternatives: Sequence[str] = ()
    ) -> dict[str, Any]:
        _text(decision, "decision", 2000, required=True)
        _text(rationale, "rationale", 4000)
        if len(alternatives) > 20:
            raise InputError("at most 20 alternatives", field="alternatives")
        self._open(run_id)
        detail = {"text": decision, "note": rationale, "pages": [a[:500] for a in alternatives]}
        with self.database.session() as session:
            seq = store.append_event(
                session, run_id=run_id, event=DECISION, phase=DECISION, at=_now(), detail=detail
            )
        return {"run_id": run_id, "seq": seq, "event": DECISION}

    # --- checking --------------------------------------------------------------------------

    def _contract(self, run: store.AgentRunRecord) -> protocol.Contract:
        return contract_of(self.brief(run.brief_id) if run.brief_id else None)

    def _state(self, run_id: str) -> dict[str, Any]:
        run = self.get(run_id)
        events = _events(self.events(run_id))
        contract = self._contract(run)
        return {"next_action": protocol.next_action(events, contract)}

    def validate(self, run_id: str) -> dict[str, Any]:
        """Whether the run may complete, and every violation found."""
        run = self.get(run_id)
        events = _events(self.events(run_id))
        contract = self._contract(run)
        found = protocol.violations(events, contract)
        return {
            "run_id": run_id,
            "gated": run.gated,
            "ok": not any(v.blocking for v in found),
            "violations": [v.to_dict() for v in found],
            "compliance": round(protocol.compliance(events, contract), 4),
            "checks": protocol.compliance_checks(events, contract),
            "next_action": protocol.next_action(events, contract),
        }

    def next_action(self, run_id: str) -> dict[str, Any]:
        self.get(run_id)
        return {"run_id": run_id, **self._state(run_id)}

    def summary(self, run_id: str) -> dict[str, Any]:
        run = self.get(run_id)
        records = self.events(run_id)
        counts: dict[str, int] = {}
        for record in records:
            counts[record.event] = counts.get(record.event, 0) + 1
        return {
            "run": _run_dict(run),
            "events": [
                {
                    "seq": r.seq,
                    "event": r.event,
                    "phase": r.phase,
                    "at": r.at.isoformat(),
                    **r.detail,
                }
                for r in records
            ],
            "counts": counts,
            "validation": self.validate(run_id),
        }

    def complete(self, run_id: str, *, outcome: str, summary: str = "") -> dict[str, Any]:
        if outcome not in OUTCOMES:
            raise InputError(
                f"unknown outcome {outcome!r}", field="outcome", fix=f"use {', '.join(OUTCOMES)}"
            )
        _text(summary, "summary", MAX_TASK)
        run = self._open(run_id)
        check = self.validate(run_id)
        blocking = [v for v in check["violations"] if v["blocking"]]
        if run.gated and blocking:
            listed = "; ".join(v["message"] for v in blocking)
            raise Conflict(
                f"gated run {run_id} cannot complete: {listed}",
                fix="record the missing events (see validate_run_completion)",
            )
        changes = {
            "status": "completed",
            "completed": _now(),
            "outcome": outcome,
            "summary": summary,
            "violations": check["violations"],
        }
        with self.database.session() as session:
            store.update_run(session, run_id=run_id, changes=changes)
        return {"run_id": run_id, "status": "completed", "outcome": outcome, **check}


def _run_dict(run: store.AgentRunRecord) -> dict[str, Any]:
    data = dict(run.__dict__)
    data["created"] = run.created.isoformat()
    data["completed"] = run.completed.isoformat() if run.completed else None
    return data
