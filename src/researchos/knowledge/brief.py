"""Building a work brief (``agent_work_context.v1``) for one task.

One hybrid search over the index supplies the candidates; the project's manifests add the
pages about its packages. Each page lands in exactly one section:

- ``known_risks``: failure pages, ranked by relevance × recency × discount, where recency is
  1 / (1 + age in years) and discount is 1 before the page's ``discount_after`` date (default:
  created + ``discount_after_months`` of system/learning-policy.yaml) and 0.5 after it;
- ``approved_interventions`` / ``decision_rules``: intervention / policy pages that a person
  reviewed or that were verified (drafts are not approved);
- ``dependency_knowledge``: pages about a package the project uses whose range holds (or may
  hold) the local version;
- ``must_load``: the best remaining hits, then the ``dependsOn`` closure of every page above.

Reads come from the index only (no page files are opened), so a brief stays fast at scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from researchos.errors import ConfigError, InputError
from researchos.files import load_yaml
from researchos.knowledge import contract
from researchos.knowledge.brief_model import (
    AgentWorkContext,
    BudgetReport,
    DependencyBrief,
    EvidenceBoundaries,
    PageBrief,
    PresentationContract,
    RepoInfo,
    RetrievalInfo,
    RiskBrief,
    VerifyItem,
)
from researchos.knowledge.budget import fit_budget
from researchos.knowledge.dependencies import (
    DependencyMatch,
    Resolution,
    out_of_range,
    resolve_in,
)
from researchos.knowledge.retrieval import SearchResult
from researchos.knowledge.service import KnowledgeBase
from researchos.store import knowledge as store
from researchos.workspace.layout import Workspace
from researchos.workspace.policies import LearningPolicy

CANDIDATES = 30
MUST_LOAD = 8
MAX_DEPENDENCY = 20
MAX_SOURCES = 5
DISCOUNT_FACTOR = 0.5
APPROVED = ("reviewed", "verified")
MAX_TASK_CHARS = 4000


def learning_policy(workspace: Workspace) -> LearningPolicy:
    path = workspace.system_dir / "learning-policy.yaml"
    if not path.is_file():
        return LearningPolicy()
    data = load_yaml(path, display="system/learning-policy.yaml")
    try:
        return LearningPolicy.model_validate(data)
    except ValueError as exc:
        raise ConfigError(
            f"system/learning-policy.yaml is invalid: {exc}", fix="fix or delete the file"
        ) from None


def risk_factors(
    record: store.PageRecord, *, now: datetime, policy: LearningPolicy
) -> tuple[float, float, datetime]:
    """(recency, discount, discount_after) of a failure page."""
    age_years = max(0.0, (now - record.created).total_seconds() / (365.25 * 86400))
    after = record.discount_after or record.created + timedelta(
        days=round(policy.discount_after_months * 30.44)
    )
    return 1.0 / (1.0 + age_years), (1.0 if now < after else DISCOUNT_FACTOR), after


def _page(record: store.PageRecord, score: float, reason: str) -> PageBrief:
    return PageBrief(
        id=record.page_id,
        kind=record.kind,
        title=record.title,
        review=record.review,
        summary=record.summary,
        sources=[str(s.get("ref")) for s in record.sources[:MAX_SOURCES]],
        depends_on=list(record.depends_on),
        score=round(score, 4),
        reason=reason,
    )


def _risk(
    record: store.PageRecord, relevance: float, reason: str, now: datetime, policy: LearningPolicy
) -> RiskBrief:
    recency, discount, after = risk_factors(record, now=now, policy=policy)
    base = _page(record, relevance * recency * discount, reason)
    return RiskBrief(
        **base.model_dump(),
        recency=round(recency, 4),
        discount=discount,
        discount_after=after.date().isoformat(),
    )


@dataclass
class _Sections:
    must_load: list[PageBrief]
    risks: list[RiskBrief]
    dependencies: list[DependencyBrief]
    interventions: list[PageBrief]
    rules: list[PageBrief]
    placed: set[str]


def _dependency_reason(match: DependencyMatch) -> str:
    local = match.package.version or match.package.declared or "unknown version"
    verdict = {True: "in range", None: "may be in range", False: "out of range"}[match.applies]
    return f"{match.package.name} {local} ({match.package.file}) {verdict} {match.spec}"


def _place_dependencies(
    sections: _Sections, matches: Sequence[DependencyMatch], now: datetime, policy: LearningPolicy
) -> None:
    for match in matches:
        record, reason = match.page, _dependency_reason(match)
        score = 1.0 if match.applies else 0.6
        if record.page_id in sections.placed:
            continue
        sections.placed.add(record.page_id)
        if record.kind == "failure":
            sections.risks.append(_risk(record, score, reason, now, policy))
        elif record.kind == "intervention" and record.review in APPROVED:
            sections.interventions.append(_page(record, score, reason))
        else:
            sections.dependencies.append(
                DependencyBrief(
                    package=match.package.name,
                    ecosystem=match.package.ecosystem,
                    local_version=match.package.version,
                    declared=match.package.declared,
                    file=match.package.file,
                    spec=match.spec,
                    applies=match.applies,
                    page=_page(record, score, reason),
                )
            )


def _place_hits(
    sections: _Sections,
    records: Sequence[store.PageRecord],
    relevance: dict[str, float],
    now: datetime,
    policy: LearningPolicy,
) -> None:
    for record in records:
        if record.page_id in sections.placed:
            continue
        score, reason = relevance[record.page_id], "matches the task"
        if record.kind == "failure":
            sections.risks.append(_risk(record, score, reason, now, policy))
        elif record.kind == "intervention" and record.review in APPROVED:
            sections.interventions.append(_page(record, score, reason))
        elif record.kind == "policy" and record.review in APPROVED:
            sections.rules.append(_page(record, score, reason))
        elif record.kind in ("intervention", "policy") or len(sections.must_load) >= MUST_LOAD:
            continue
        else:
            sections.must_load.append(_page(record, score, reason))
        sections.placed.add(record.page_id)


def _add_closure(known: dict[str, store.PageRecord], sections: _Sections) -> None:
    """Append the dependsOn closure of every placed page to must_load (``known`` holds every
    page reachable from them, see ``store.fetch_reachable``)."""
    roots = [
        *sections.must_load,
        *sections.risks,
        *sections.interventions,
        *sections.rules,
        *(d.page for d in sections.dependencies),
    ]
    parent_score = {p.id: p.score for p in roots}
    frontier = {dep: p.id for p in roots for dep in p.depends_on if dep not in sections.placed}
    while frontier:
        records = [known[page_id] for page_id in frontier if page_id in known]
        next_frontier: dict[str, str] = {}
        for record in records:
            if record.page_id in sections.placed:
                continue
            parent = frontier[record.page_id]
            score = parent_score.get(parent, 0.0) * 0.9
            sections.must_load.append(_page(record, score, f"dependsOn of {parent}"))
            sections.placed.add(record.page_id)
            parent_score[record.page_id] = score
            for dep in record.depends_on:
                if dep not in sections.placed:
                    next_frontier.setdefault(dep, record.page_id)
        frontier = next_frontier


def _all_pages(brief: AgentWorkContext) -> list[PageBrief]:
    return [
        *brief.must_load,
        *brief.known_risks,
        *(d.page for d in brief.dependency_knowledge),
        *brief.approved_interventions,
        *brief.decision_rules,
    ]


def _boundaries(pages: Iterable[PageBrief]) -> EvidenceBoundaries:
    groups: dict[str, list[str]] = {
        "verified": [],
        "reviewed": [],
        "draft": [],
        "evidence-only": [],
    }
    for page in pages:
        groups.setdefault(page.review, []).append(page.id)
    return EvidenceBoundaries(
        verified=groups["verified"],
        reviewed=groups["reviewed"],
        draft=groups["draft"],
        evidence_only=groups["evidence-only"],
    )


def _contract(brief: AgentWorkContext) -> PresentationContract:
    verify = [
        VerifyItem(
            what=f"{d.package} {d.local_version or d.declared or '(version unknown)'}",
            page_id=d.page.id,
            check=f"confirm the installed {d.package} version against {d.spec} and record "
            "package_version_checked",
        )
        for d in brief.dependency_knowledge
    ]
    verify += [
        VerifyItem(
            what=f"evidence-only page {page.id}",
            page_id=page.id,
            check="reproduce the reported behaviour locally before relying on it",
        )
        for page in _all_pages(brief)
        if page.review == "evidence-only"
    ]
    return PresentationContract(
        must_load=[page.id for page in _all_pages(brief)],
        must_verify=verify,
        must_record={phase: list(names) for phase, names in contract.EVENT_PHASES.items()},
        required_for_completion=list(contract.REQUIRED_FOR_COMPLETION),
        rules=list(contract.FINISH_RULES),
    )


def _refresh(brief: AgentWorkContext, _dropped: set[str] | None = None) -> AgentWorkContext:
    """Recompute the parts derived from the sections (after items were dropped)."""
    return brief.model_copy(
        update={
            "evidence_boundaries": _boundaries(_all_pages(brief)),
            "presentation_contract": _contract(brief),
        }
    )


def _check_input(task: str, budget: int) -> None:
    if not task.strip():
        raise InputError("the task is empty", field="task", fix='pass --task "what to do"')
    if len(task) > MAX_TASK_CHARS:
        raise InputError(f"the task is longer than {MAX_TASK_CHARS} characters", field="task")
    if not 200 <= budget <= 1_000_000:
        raise InputError("token budget must be between 200 and 1,000,000", field="token_budget")


@dataclass(frozen=True)
class _Found:
    resolution: Resolution
    relevance: dict[str, float]  # hit -> fused score relative to the best hit
    known: dict[str, store.PageRecord]  # hits, dependency pages and all they reach


def _read(
    kb: KnowledgeBase, result: SearchResult, *, repo: Path | None, libraries: Sequence[str]
) -> _Found:
    """Everything a brief reads besides the search, in one session."""
    hit_ids = [hit.page_id for hit in result.hits]
    top = result.hits[0].score if result.hits else 1.0
    with kb.database.session() as session:
        resolution = resolve_in(
            session,
            repo=repo,
            libraries=libraries,
            limit=MAX_DEPENDENCY,
            applicable_only=True,
            cache=kb.resolutions,
        )
        # a page about a version range the project is outside of is noise for this task
        excluded = out_of_range(session, resolution.repo, hit_ids) if hit_ids else set()
        relevance = {h.page_id: h.score / top for h in result.hits if h.page_id not in excluded}
        roots = [*relevance, *(match.page.page_id for match in resolution.matches)]
        known = store.fetch_reachable(session, page_ids=roots)
    return _Found(resolution, relevance, known)


def build_work_brief(
    kb: KnowledgeBase,
    *,
    task: str,
    repo: Path | None = None,
    libraries: Sequence[str] = (),
    token_budget: int | None = None,
    agent: dict[str, str] | None = None,
    now: datetime | None = None,
) -> AgentWorkContext:
    """The ``agent_work_context.v1`` brief for ``task``, fitted to ``token_budget`` tokens."""
    budget = token_budget or kb.settings.token_budget
    _check_input(task, budget)
    now = now or datetime.now(UTC)
    policy = learning_policy(kb.workspace)
    result = kb.retriever.search(task, limit=CANDIDATES, depth=CANDIDATES * 2)
    found = _read(kb, result, repo=repo, libraries=libraries)
    resolution, relevance = found.resolution, found.relevance
    records = [found.known[page_id] for page_id in relevance if page_id in found.known]
    sections = _Sections([], [], [], [], [], set())
    _place_dependencies(sections, resolution.matches, now, policy)
    _place_hits(sections, records, relevance, now, policy)
    _add_closure(found.known, sections)
    brief = AgentWorkContext(
        task=task,
        generated_at=now,
        agent={k: v for k, v in (agent or {}).items() if v},
        repo=RepoInfo(
            path=str(repo) if repo else None,
            files=resolution.repo.files,
            packages=len(resolution.repo.packages),
            problems=resolution.repo.problems,
        ),
        retrieval=RetrievalInfo(mode=result.mode, notice=result.notice, candidates=len(records)),
        must_load=sections.must_load,
        known_risks=sorted(sections.risks, key=lambda r: -r.score),
        dependency_knowledge=sections.dependencies,
        approved_interventions=sections.interventions,
        decision_rules=sections.rules,
        presentation_contract=PresentationContract(
            must_load=[], must_record={}, required_for_completion=[], rules=[]
        ),
        budget=BudgetReport(token_budget=budget, estimated_tokens=0),
    )
    return fit_budget(_refresh(brief), budget, on_drop=_refresh)
