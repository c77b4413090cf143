"""The checks a proposal must pass, at proposal time and again at merge time.

Each check works on one snapshot of the landscape (every entry, read once per change under
the git lock), so ``review`` shows a person exactly what ``merge``
would refuse: a retracted claim, a changed source claim, an entry that moved on, a new
known result the claim may contradict.
"""

from __future__ import annotations

from dataclasses import dataclass

from researchos.artifacts.models import Claim
from researchos.artifacts.service import AraService
from researchos.errors import Conflict, InputError, NotFound
from researchos.files import sha256_file
from researchos.landscape.contradiction import Tolerance, candidates
from researchos.landscape.models import Draft, EntryKind, EntrySource, LandscapeEntry, Proposal
from researchos.landscape.records import LandscapePaths, file_sha

PROMOTABLE = frozenset({"supported", "verified"})
UNPROPOSABLE = frozenset({"retracted", "withdrawn"})


@dataclass(frozen=True)
class Problem:
    """Why a proposal cannot be merged now, and what to do about it."""

    message: str
    fix: str

    def error(self) -> Conflict:
        return Conflict(self.message, fix=self.fix)


def claim_source(aras: AraService, slug: str, claim_id: str) -> tuple[Claim, EntrySource]:
    """The claim and its pin: sha256 of the claim file and the last commit that touched it."""
    claim = aras.claim(slug, claim_id)
    path = aras.paths(slug).claim(claim_id)
    rel = aras.workspace.relative(path)
    commit = aras.workspace.git.run("log", "-n1", "--format=%H", "--", rel).stdout.strip()
    source = EntrySource(
        ara=slug, claim=claim_id, claim_sha256=sha256_file(path), commit=commit or None
    )
    return claim, source


def default_kind(claim: Claim) -> EntryKind:
    return "known_result" if claim.status in PROMOTABLE and claim.evidence else "hypothesis"


def check_claim(claim: Claim, kind: EntryKind, display: str) -> None:
    if claim.status in UNPROPOSABLE:
        raise Conflict(
            f"{display} is {claim.status}; a {claim.status} claim cannot enter the landscape"
        )
    if kind == "known_result" and (claim.status not in PROMOTABLE or not claim.evidence):
        raise InputError(
            f"a known result needs a supported or verified claim with evidence "
            f"(status {claim.status}, {len(claim.evidence)} evidence reference(s))",
            file=display,
            field="status",
            fix="propose it --as hypothesis, or add evidence and support it first",
        )


def _same_claim(a: EntrySource, b: EntrySource) -> bool:
    return (a.ara, a.claim) == (b.ara, b.claim)


def retracted_match(
    landscape: list[LandscapeEntry], source: EntrySource, draft: Draft
) -> Problem | None:
    """A retracted entry for the same claim or the same statement+conditions."""
    for entry in (e for e in landscape if e.status == "retracted"):
        if _same_claim(entry.source, source) or entry.fingerprint == draft.fingerprint:
            reason = entry.retraction.reason if entry.retraction else "retracted"
            return Problem(
                f"{source.ara}/{source.claim} matches retracted entry {entry.id} ({reason}); "
                "a retracted claim can never be re-promoted",
                "state a new, different claim with its own evidence",
            )
    return None


def active_match(
    landscape: list[LandscapeEntry], source: EntrySource, draft: Draft
) -> LandscapeEntry | None:
    for entry in (e for e in landscape if e.status != "retracted"):
        if _same_claim(entry.source, source) or entry.fingerprint == draft.fingerprint:
            return entry
    return None


def target_problem(
    entry: LandscapeEntry | None, kind: EntryKind, source: EntrySource
) -> Problem | None:
    """An update of an existing entry must bring something new and never demote it."""
    if entry is None:
        return None
    if entry.kind == "known_result" and kind == "hypothesis":
        return Problem(
            f"entry {entry.id} already records this claim as a known result",
            f"to withdraw it, a person runs `researchos landscape retract {entry.id}`",
        )
    if entry.source.claim_sha256 == source.claim_sha256 and entry.kind == kind:
        return Problem(
            f"entry {entry.id} already holds {source.ara}/{source.claim} at this version",
            "add evidence to the claim first; then propose the update",
        )
    return None


def known_results(landscape: list[LandscapeEntry], exclude: str | None) -> list[LandscapeEntry]:
    return [
        e
        for e in landscape
        if e.status != "retracted" and e.kind == "known_result" and e.id != exclude
    ]


def merge_problems(
    paths: LandscapePaths,
    landscape: list[LandscapeEntry],
    aras: AraService,
    proposal: Proposal,
    tolerance: Tolerance,
) -> list[Problem]:
    """Everything that stops ``proposal`` from being merged now (empty: mergeable)."""
    problems = [p for p in (_source_problem(aras, proposal),) if p]
    if found := retracted_match(landscape, proposal.source, proposal.draft):
        problems.append(found)
    problems += _target_problems(paths, landscape, proposal)
    problems += _new_contradictions(landscape, proposal, tolerance)
    return problems


def _source_problem(aras: AraService, proposal: Proposal) -> Problem | None:
    src = proposal.source
    try:
        path = aras.paths(src.ara).claim(src.claim)
    except NotFound:
        path = None
    if path is None or not path.is_file():
        return Problem(
            f"the source claim {src.ara}/{src.claim} no longer exists",
            f"reject {proposal.id}",
        )
    if sha256_file(path) != src.claim_sha256:
        return Problem(
            f"the source claim {src.ara}/{src.claim} changed since {proposal.id} was proposed "
            f"(sha256 {src.claim_sha256[:12]}… is now {sha256_file(path)[:12]}…)",
            f"reject {proposal.id} and propose the claim again so its checks re-run",
        )
    return None


def _target_problems(
    paths: LandscapePaths, landscape: list[LandscapeEntry], proposal: Proposal
) -> list[Problem]:
    if proposal.entry is None:
        entry = active_match(landscape, proposal.source, proposal.draft)
        if entry is None:
            return []
        return [
            Problem(
                f"entry {entry.id} now holds this claim (merged from "
                f"{', '.join(entry.proposals) or 'another proposal'}) after {proposal.id} was "
                "proposed",
                f"reject {proposal.id}, or propose the claim again as an update of {entry.id}",
            )
        ]
    current = next((e for e in landscape if e.id == proposal.entry), None)
    path = paths.entry(current) if current is not None else None
    if path is None or file_sha(path) != proposal.entry_sha256:
        return [
            Problem(
                f"entry {proposal.entry} changed since {proposal.id} was proposed",
                f"reject {proposal.id} and propose again against the current entry",
            )
        ]
    return []


def _new_contradictions(
    landscape: list[LandscapeEntry], proposal: Proposal, tolerance: Tolerance
) -> list[Problem]:
    checked = {c.entry for c in proposal.contradictions}
    known = known_results(landscape, proposal.entry)
    fresh = [c.entry.id for c in candidates(proposal.draft, known, tolerance)]
    unchecked = [entry_id for entry_id in fresh if entry_id not in checked]
    if not unchecked:
        return []
    return [
        Problem(
            f"known result(s) {', '.join(unchecked)} may contradict {proposal.id} and were "
            "not checked when it was proposed",
            f"reject {proposal.id} and propose again so the contradiction check runs",
        )
    ]
