"""The learning policy at work: agent roles, skills with outcomes, and the dead-end menu.

Every change is one semantic commit (``agent.init``, ``agent.write``, ``skill.add``,
``skill.outcome``, ``trace.extend``) made under the workspace git lock, so concurrent
outcome records serialise and none is lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from researchos.artifacts.models import FailureTrace, utcnow
from researchos.artifacts.reader import load_trace
from researchos.artifacts.service import AraService, Origin
from researchos.errors import Conflict, InputError, NotFound
from researchos.files import dump_yaml, read_text
from researchos.history.changes import ChangeSet, content_change
from researchos.history.commits import ChangeMeta
from researchos.landscape.gates import normalise_actor, require_person
from researchos.landscape.records import LandscapePaths, entries
from researchos.learning import ranking, roles
from researchos.learning.skills import (
    Outcome,
    Skill,
    SkillBook,
    next_skill_id,
    parse_book,
    prune_candidate,
    render_book,
    score,
)
from researchos.store.database import Database
from researchos.workspace.layout import Workspace
from researchos.workspace.policies import LearningPolicy, read_policy


class LearningService:
    def __init__(
        self, workspace: Workspace, aras: AraService, *, database: Database | None, actor: str
    ) -> None:
        self.workspace = workspace
        self.aras = aras
        self.database = database
        self.actor = actor

    @property
    def policy(self) -> LearningPolicy:
        return read_policy(self.workspace.system_dir, LearningPolicy)

    # --- roles ---------------------------------------------------------------------------------

    def role_names(self) -> list[str]:
        base = self.workspace.agents_dir
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if (p / "skills.md").is_file())

    def paths(self, role: str) -> roles.RolePaths:
        paths = roles.RolePaths(self.workspace, role)
        if not paths.file("skills.md").is_file():
            raise NotFound(f"no agent role {role!r}", fix=f"run `researchos agents init {role}`")
        return paths

    def init_role(self, role: str, *, persona: str = "", actor: str | None = None) -> list[str]:
        """Create the five files of a role (the missing ones); returns the files written."""
        actor = normalise_actor(actor or self.actor)
        paths = roles.RolePaths(self.workspace, role)
        files = roles.initial_files(role, persona)
        missing = [name for name in roles.FILES if not paths.file(name).exists()]
        if not missing:
            raise Conflict(f"agent role {role!r} already exists", fix="edit its files instead")
        for name in missing:
            roles.check_write(name, actor)
        with self._change("agent.init", role, f"create agent role {role}", actor) as cs:
            for name in missing:
                cs.write_bytes(paths.file(name), files[name])
        return missing

    def read(self, role: str) -> dict[str, str]:
        paths = self.paths(role)
        return {
            name: read_text(paths.file(name), display=f"agents/{role}/{name}")
            for name in roles.FILES
            if paths.file(name).is_file()
        }

    def write_file(self, role: str, name: str, text: str, *, actor: str | None = None) -> None:
        """Replace persona.md, constraints.md (people only) or reflections.md."""
        actor = normalise_actor(actor or self.actor)
        roles.check_write(name, actor)
        roles.check_direct_write(name)
        paths = self.paths(role)
        with self._change("agent.write", role, f"write agents/{role}/{name}", actor) as cs:
            cs.write_bytes(paths.file(name), text if text.endswith("\n") else text + "\n")

    # --- skills --------------------------------------------------------------------------------

    def skills(self, role: str) -> SkillBook:
        path = self.paths(role).file("skills.md")
        return parse_book(read_text(path), display=f"agents/{role}/skills.md")

    def add_skill(
        self, role: str, text: str, *, actor: str | None = None
    ) -> tuple[Skill, Skill | None]:
        """Add a skill; when the role is at its budget, prune the lowest-reward one first."""
        actor = normalise_actor(actor or self.actor)
        if not text.strip():
            raise InputError("a skill needs text", field="text")
        policy = self.policy
        with self._change("skill.add", role, f"add skill to {role}", actor) as cs:
            book = self.skills(role)
            pruned = None
            if len(book.skills) >= policy.skill_budget:
                pruned = prune_candidate(book)
                book.skills = [s for s in book.skills if s.id != pruned.id]
            skill = Skill(id=next_skill_id(book), text=text.strip(), added_by=actor)
            book.skills = [*book.skills, skill]
            book.last_id += 1
            self._save(cs, role, book)
            lines = [f"- {skill.added.isoformat()} {skill.id} added by {actor}: {skill.text}"]
            if pruned is not None:
                lines.append(_pruned_line(pruned, policy))
            self._ledger(cs, role, lines)
            trailers: dict[str, str] = {"Skill": skill.id}
            if pruned is not None:
                trailers["Pruned"] = pruned.id
            cs.describe(f"add skill {skill.id} to {role}: {skill.text[:60]}", **trailers)
        return skill, pruned

    def record_outcome(
        self,
        role: str,
        skill_id: str,
        *,
        sign: Literal["+", "-"],
        evidence: list[str],
        note: str = "",
        actor: str | None = None,
    ) -> Skill:
        """Record a +/- outcome with evidence; the skill's reward and adoption follow."""
        actor = normalise_actor(actor or self.actor)
        refs = [e.strip() for e in evidence if e.strip()]
        if not refs:
            raise InputError(
                "an outcome needs evidence", field="evidence", fix="pass --evidence ara/<slug>/..."
            )
        with self._change("skill.outcome", role, f"record outcome for {skill_id}", actor) as cs:
            book = self.skills(role)
            current = next((s for s in book.skills if s.id == skill_id), None)
            if current is None:
                raise NotFound(f"role {role!r} has no skill {skill_id!r}")
            outcome = Outcome(sign=sign, evidence=refs, by=actor, note=note)
            updated = score(
                current.model_copy(update={"outcomes": [*current.outcomes, outcome]}), self.policy
            )
            book.skills = [updated if s.id == skill_id else s for s in book.skills]
            self._save(cs, role, book)
            line = (
                f"- {outcome.at.isoformat()} {skill_id} {sign} by {actor} "
                f"(evidence: {', '.join(refs)}) reward {updated.reward:+g}"
                + (" — adopted" if updated.adopted and not current.adopted else "")
            )
            self._ledger(cs, role, [line])
            cs.describe(f"{skill_id} {sign}: reward {updated.reward:+g}", Skill=skill_id)
        return updated

    # --- failure traces --------------------------------------------------------------------------

    def rank(self, tag: str, *, now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
        """The menu for ``tag``: dead ends to avoid and results to build on, ranked."""
        if not tag.strip():
            raise InputError("a tag is required", field="tag", fix="e.g. --tag knn")
        now, policy = now or utcnow(), self.policy
        avoid: list[ranking.MenuItem] = []
        for manifest in self.aras.all():
            traces = [
                t for t in self.aras.traces(manifest.slug, "failure") if isinstance(t, FailureTrace)
            ]
            avoid += ranking.failure_items(manifest, traces, tag, now, policy)
        landscape = entries(LandscapePaths(self.workspace))
        avoid += ranking.retracted_items(landscape, tag, now, policy)
        build_on = ranking.try_items(landscape, tag, now, policy)
        return {
            "avoid": [i.to_dict() for i in ranking.ranked(avoid)],
            "try": [i.to_dict() for i in ranking.ranked(build_on)],
        }

    def extend_trace(
        self, slug: str, trace_id: str, *, until: date, reason: str = "", actor: str | None = None
    ) -> FailureTrace:
        """Move a failure trace's discount_after later: a person's reviewed decision."""
        actor = require_person(actor or self.actor, "extending a failure trace's discount_after")
        paths = self.aras.paths(slug)
        if not paths.trace("failure", trace_id).is_file():
            raise NotFound(f"ARA {slug!r} has no failure trace {trace_id!r}")
        trace = load_trace(paths, "failure", trace_id)
        assert isinstance(trace, FailureTrace)
        if until <= trace.discount_after:
            raise InputError(
                f"{until} is not after the current discount_after {trace.discount_after}",
                field="until",
                fix="an extension moves the date later",
            )
        extended = trace.model_copy(update={"discount_after": until})
        rel = paths.trace("failure", trace_id).relative_to(paths.root).as_posix()
        summary = f"extend {trace_id} discount_after {trace.discount_after} -> {until}"
        self.aras.write_files(
            slug,
            {rel: dump_yaml(extended.model_dump(mode="json", exclude_none=True))},
            event="trace.extend",
            summary=summary + (f": {reason}" if reason else ""),
            origin=Origin(actor),
        )
        return extended

    # --- internals -----------------------------------------------------------------------------

    def _save(self, cs: ChangeSet, role: str, book: SkillBook) -> None:
        cs.write_bytes(self.paths(role).file("skills.md"), render_book(book))

    def _ledger(self, cs: ChangeSet, role: str, lines: list[str]) -> None:
        path = self.paths(role).file("rewards.md")
        before = read_text(path) if path.is_file() else ""
        cs.write_bytes(path, before + "".join(line + "\n" for line in lines))

    @contextmanager
    def _change(self, event: str, scope: str, summary: str, actor: str) -> Iterator[ChangeSet]:
        meta = ChangeMeta(event=event, scope=scope, summary=summary, actor=actor)
        with content_change(self.workspace.root, self.workspace.var_dir, meta) as cs:
            yield cs


def _pruned_line(skill: Skill, policy: LearningPolicy) -> str:
    return (
        f"- {utcnow().isoformat()} {skill.id} pruned (budget {policy.skill_budget}, reward "
        f"{skill.reward:+g}, {len(skill.outcomes)} outcome(s)): {skill.text}"
    )
