"""The research landscape: agents propose, people merge, reject and retract.

Every change is one semantic commit through ``content_change`` (git lock, atomic writes,
rollback on error) with ``research-landscape/index.md`` regenerated in the same commit:
``landscape.propose(P0001)``, ``landscape.merge(E0001)``, ``landscape.reject(P0002)``,
``landscape.retract(E0001)``, ``landscape.expire(landscape)``. Checks that can refuse a change
run inside the lock, before anything is written, so a refused change leaves HEAD as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from researchos.artifacts.models import utcnow
from researchos.artifacts.service import AraService
from researchos.errors import Conflict, InputError
from researchos.history.changes import ChangeSet, content_change
from researchos.history.commits import ChangeMeta
from researchos.landscape import checks
from researchos.landscape.contradiction import Tolerance, candidates, confirm
from researchos.landscape.draft import draft_from_claim
from researchos.landscape.gates import normalise_actor, require_person
from researchos.landscape.index import render_index
from researchos.landscape.merging import entry_from_proposal
from researchos.landscape.models import (
    ContradictionCheck,
    Decision,
    Draft,
    EntryKind,
    EntrySource,
    LandscapeEntry,
    Proposal,
    Retraction,
    ReviewRequest,
)
from researchos.landscape.records import (
    LandscapePaths,
    entries,
    file_sha,
    find_entry,
    load_pending,
    next_entry_id,
    next_proposal_id,
    ordered_yaml,
    pending_proposals,
)
from researchos.landscape.review import dual_review
from researchos.store import audit
from researchos.store.database import Database
from researchos.workspace.layout import Workspace
from researchos.workspace.policies import LearningPolicy, read_policy

log = logging.getLogger(__name__)
MANUAL_REASONS = ("refuted", "withdrawn", "manual")


class LandscapeService:
    def __init__(
        self,
        workspace: Workspace,
        aras: AraService,
        *,
        router: Callable[[], Any],
        database: Database | None,
        actor: str,
    ) -> None:
        self.workspace = workspace
        self.paths = LandscapePaths(workspace)
        self.aras = aras
        self._router = router
        self.database = database
        self.actor = actor

    # --- reading ---------------------------------------------------------------------------

    @property
    def policy(self) -> LearningPolicy:
        return read_policy(self.workspace.system_dir, LearningPolicy)

    @property
    def tolerance(self) -> Tolerance:
        policy = self.policy
        return Tolerance(policy.contradiction_rel_tolerance, policy.contradiction_abs_tolerance)

    def entries(self) -> list[LandscapeEntry]:
        return entries(self.paths)

    def entry(self, entry_id: str) -> LandscapeEntry:
        return find_entry(self.paths, entry_id)[0]

    def proposals(self) -> list[Proposal]:
        return pending_proposals(self.paths)

    def review(self) -> list[dict[str, Any]]:
        """Pending proposals with what a merge would refuse right now."""
        out, landscape = [], self.entries()
        for proposal in self.proposals():
            problems = checks.merge_problems(
                self.paths, landscape, self.aras, proposal, self.tolerance
            )
            out.append(
                {
                    **proposal.model_dump(mode="json", exclude_none=True),
                    "mergeable": not problems,
                    "problems": [{"message": p.message, "fix": p.fix} for p in problems],
                }
            )
        return out

    # --- proposing (anyone, agents included) -------------------------------------------------

    def propose(
        self,
        *,
        ara: str,
        claim: str,
        kind: EntryKind | None = None,
        rationale: str = "",
        actor: str | None = None,
    ) -> Proposal:
        """Write ``proposals/<id>.yaml``; a confirmed contradiction makes it contested."""
        actor = normalise_actor(actor or self.actor)
        model, source = checks.claim_source(self.aras, ara, claim)
        requested = kind or checks.default_kind(model)
        checks.check_claim(model, requested, f"ara/{ara}/claims/{claim}.yaml")
        draft = draft_from_claim(ara, model)
        landscape = self.entries()
        target = self._admissible(landscape, source, draft, requested)
        # model calls run before the lock: they may be slow, and merge re-checks everything
        contradictions, review = self._contradictions(landscape, draft, target)
        with self._change("landscape.propose", "proposal", actor) as cs:
            # the landscape may have moved meanwhile
            self._admissible(self.entries(), source, draft, requested)
            proposal = Proposal(
                id=next_proposal_id(self.paths),
                kind="hypothesis" if review else requested,
                requested_kind=requested,
                contested=review is not None,
                source=source,
                draft=draft,
                entry=target.id if target else None,
                entry_sha256=file_sha(self.paths.entry(target)) if target else None,
                proposed_by=actor,
                rationale=rationale,
                duplicates=self._duplicates(source, draft, target),
                contradictions=contradictions,
                review=review,
            )
            cs.write_bytes(self.paths.pending(proposal.id), ordered_yaml(proposal))
            what = "contested hypothesis" if review else proposal.kind
            _describe(cs, proposal.id, f"propose {ara}/{claim} as {what}", Proposal=proposal.id)
        return proposal

    def _admissible(
        self, landscape: list[LandscapeEntry], source: EntrySource, draft: Draft, kind: EntryKind
    ) -> LandscapeEntry | None:
        """The entry a proposal would update (None: a new one), or the Conflict refusing it."""
        if problem := checks.retracted_match(landscape, source, draft):
            raise problem.error()
        target = checks.active_match(landscape, source, draft)
        if problem := checks.target_problem(target, kind, source):
            raise problem.error()
        return target

    def _contradictions(
        self, landscape: list[LandscapeEntry], draft: Draft, target: LandscapeEntry | None
    ) -> tuple[list[ContradictionCheck], ReviewRequest | None]:
        """Rule candidates, each checked by the model; dual review when one is confirmed."""
        known = checks.known_results(landscape, target.id if target else None)
        found = candidates(draft, known, self.tolerance)
        results = [confirm(self._router(), draft, c, self.tolerance) for c in found]
        confirmed = [c for c in results if c.confirmed]
        if not confirmed:
            return results, None
        return results, dual_review(self._router(), draft, confirmed, {e.id: e for e in known})

    def _duplicates(
        self, source: EntrySource, draft: Draft, target: LandscapeEntry | None
    ) -> list[str]:
        """Pending proposals for the same claim, statement or entry."""
        return [
            p.id
            for p in self.proposals()
            if (p.source.ara, p.source.claim) == (source.ara, source.claim)
            or p.draft.fingerprint == draft.fingerprint
            or (target is not None and p.entry == target.id)
        ]

    # --- deciding (people only) ----------------------------------------------------------------

    def merge(
        self, proposal_id: str, *, reason: str = "", actor: str | None = None
    ) -> LandscapeEntry:
        actor = require_person(actor or self.actor, "merging a landscape proposal")
        with self._change("landscape.merge", proposal_id, actor) as cs:
            proposal = load_pending(self.paths, proposal_id)
            landscape = self.entries()
            problems = checks.merge_problems(
                self.paths, landscape, self.aras, proposal, self.tolerance
            )
            if problems:
                raise problems[0].error()
            previous = next((e for e in landscape if e.id == proposal.entry), None)
            entry = entry_from_proposal(
                proposal,
                previous,
                entry_id=next_entry_id(self.paths),
                actor=actor,
                now=utcnow(),
            )
            if previous and self.paths.entry(previous) != self.paths.entry(entry):
                cs.delete(self.paths.entry(previous))
            cs.write_bytes(self.paths.entry(entry), ordered_yaml(entry))
            for known_id in proposal.confirmed:
                self._link_contested(cs, known_id, entry.id)
            decision = Decision(outcome="merged", by=actor, reason=reason, entry=entry.id)
            self._close(cs, proposal, decision)
            summary = f"merge {proposal.id} as {entry.status} {entry.kind} {entry.id}"
            _describe(cs, entry.id, summary, Proposal=proposal.id, Entry=entry.id)
        return entry

    def reject(self, proposal_id: str, *, reason: str, actor: str | None = None) -> Proposal:
        actor = require_person(actor or self.actor, "rejecting a landscape proposal")
        if not reason.strip():
            raise InputError("a reason is required", field="reason", fix='pass --reason "..."')
        with self._change("landscape.reject", proposal_id, actor) as cs:
            proposal = load_pending(self.paths, proposal_id)
            decided = self._close(
                cs, proposal, Decision(outcome="rejected", by=actor, reason=reason)
            )
            _describe(cs, proposal_id, f"reject {proposal_id}: {reason}", Proposal=proposal_id)
        return decided

    def retract(
        self, entry_id: str, *, reason: str, note: str = "", actor: str | None = None
    ) -> LandscapeEntry:
        actor = require_person(actor or self.actor, "retracting a landscape entry")
        if reason not in MANUAL_REASONS:
            raise InputError(
                f"unknown retraction reason {reason!r}",
                field="reason",
                fix=f"use one of {', '.join(MANUAL_REASONS)} (evidence_timeout is for expire)",
            )
        with self._change("landscape.retract", entry_id, actor) as cs:
            retraction = Retraction.model_validate({"reason": reason, "by": actor, "note": note})
            entry = self._move_to_retracted(cs, entry_id, retraction)
            _describe(cs, entry_id, f"retract {entry_id} ({reason})", Entry=entry_id)
        return entry

    def expire(
        self, *, now: datetime | None = None, actor: str | None = None
    ) -> list[LandscapeEntry]:
        """Retract hypotheses with no new evidence for ``hypothesis_timeout_days`` (one commit)."""
        actor = normalise_actor(actor or self.actor)
        now = now or utcnow()
        days = self.policy.hypothesis_timeout_days
        expired: list[LandscapeEntry] = []
        with self._change("landscape.expire", "landscape", actor) as cs:
            for entry in entries(self.paths, ["hypotheses"]):
                if now - entry.last_evidence_at < timedelta(days=days):
                    continue
                note = f"no new evidence since {entry.last_evidence_at.date()} ({days} days)"
                retraction = Retraction(reason="evidence_timeout", by=actor, at=now, note=note)
                expired.append(self._move_to_retracted(cs, entry.id, retraction))
            ids = tuple(e.id for e in expired)
            _describe(
                cs, "landscape", f"expire {len(ids)} hypothesis(es): {', '.join(ids)}", Entry=ids
            )
        return expired

    # --- internals ----------------------------------------------------------------------------

    def _move_to_retracted(
        self, cs: ChangeSet, entry_id: str, retraction: Retraction
    ) -> LandscapeEntry:
        entry, path = find_entry(self.paths, entry_id)
        if entry.status == "retracted":
            raise Conflict(f"entry {entry_id} is already retracted")
        retracted = entry.model_copy(
            update={"status": "retracted", "retraction": retraction, "updated": retraction.at}
        )
        cs.delete(path)
        cs.write_bytes(self.paths.entry(retracted), ordered_yaml(retracted))
        return retracted

    def _link_contested(self, cs: ChangeSet, known_id: str, hypothesis_id: str) -> None:
        known, path = find_entry(self.paths, known_id)
        if hypothesis_id in known.contested_by:
            return
        linked = known.model_copy(
            update={"contested_by": [*known.contested_by, hypothesis_id], "updated": utcnow()}
        )
        cs.write_bytes(path, ordered_yaml(linked))

    def _close(self, cs: ChangeSet, proposal: Proposal, decision: Decision) -> Proposal:
        decided = proposal.model_copy(update={"status": decision.outcome, "decision": decision})
        cs.delete(self.paths.pending(proposal.id))
        cs.write_bytes(self.paths.decided(proposal.id), ordered_yaml(decided))
        return decided

    @contextmanager
    def _change(self, event: str, scope: str, actor: str) -> Iterator[ChangeSet]:
        """One landscape commit: the body's writes plus the regenerated index."""
        meta = ChangeMeta(event=event, scope=scope, summary=event, actor=actor)
        with content_change(self.workspace.root, self.workspace.var_dir, meta) as cs:
            yield cs
            if cs.paths:
                page = render_index(self.entries(), self.proposals())
                if not self.paths.index.is_file() or self.paths.index.read_text("utf-8") != page:
                    cs.write_bytes(self.paths.index, page)
        self._audit(cs)

    def _audit(self, cs: ChangeSet) -> None:
        if self.database is None or cs.commit is None:
            return
        try:
            with self.database.session() as session:
                audit.record(
                    session,
                    actor=cs.meta.actor,
                    action=cs.meta.event,
                    target=cs.meta.scope,
                    payload={"summary": cs.meta.summary, "commit": cs.commit},
                )
        except Exception:  # the commit stands; the audit trail is best effort
            log.exception("audit record after %s failed", cs.commit)


def _describe(cs: ChangeSet, scope: str, summary: str, **trailers: str | tuple[str, ...]) -> None:
    """Set the commit's scope (known only inside the lock), summary and trailers."""
    cs.meta = replace(cs.meta, scope=scope)
    cs.describe(summary, **trailers)
