"""``agents/<role>/skills.md``: a YAML frontmatter skill list, then a generated summary.

A skill's reward is the sum of its outcomes (+1 each positive, -1 each negative, every one
with evidence references). It is *adopted* once it has ``evidence_threshold`` positive
outcomes and a positive reward. A role keeps at most ``skill_budget`` skills: adding one
more prunes the lowest-reward skill (not adopted ones first, then the oldest); the pruned
skill and its outcomes stay in ``rewards.md`` and in git history. Failure traces are never
pruned — they are not skills.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import Field

from researchos.artifacts.models import ItemId, Strict, Versioned, utcnow
from researchos.artifacts.reader import model_from_data
from researchos.errors import InputError
from researchos.files import dump_yaml, parse_yaml
from researchos.workspace.policies import LearningPolicy

_FRONTMATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n?(?P<body>.*)\Z", re.DOTALL)


class Outcome(Strict):
    sign: Literal["+", "-"]
    evidence: list[str] = Field(min_length=1, description="References: ara/<slug>/..., run:<id>.")
    at: datetime = Field(default_factory=utcnow)
    by: str
    note: str = ""


class Skill(Strict):
    id: ItemId
    text: str = Field(min_length=1)
    added: datetime = Field(default_factory=utcnow)
    added_by: str
    outcomes: list[Outcome] = Field(default_factory=list)
    reward: float = 0.0
    adopted: bool = False

    @property
    def positives(self) -> int:
        return sum(1 for o in self.outcomes if o.sign == "+")


class SkillBook(Versioned):
    role: str
    last_id: int = Field(default=0, ge=0, description="Skill ids are never reused after pruning.")
    skills: list[Skill] = Field(default_factory=list)


def score(skill: Skill, policy: LearningPolicy) -> Skill:
    """The skill with its reward and adopted flag recomputed from its outcomes."""
    reward = float(sum(1 if o.sign == "+" else -1 for o in skill.outcomes))
    adopted = skill.positives >= policy.evidence_threshold and reward > 0
    return skill.model_copy(update={"reward": reward, "adopted": adopted})


def prune_candidate(book: SkillBook) -> Skill:
    """The skill to drop when the book is full: lowest reward, unadopted first, then oldest."""
    return min(book.skills, key=lambda s: (s.adopted, s.reward, s.added, s.id))


def next_skill_id(book: SkillBook) -> str:
    return f"S{book.last_id + 1:04d}"


def parse_book(text: str, *, display: str) -> SkillBook:
    match = _FRONTMATTER.match(text)
    if match is None:
        raise InputError(
            "missing the YAML frontmatter (a block between two '---' lines)",
            file=display,
            fix="restore the file with `researchos agents init` or from git history",
        )
    return model_from_data(SkillBook, parse_yaml(match["yaml"], display=display), display=display)


def render_book(book: SkillBook) -> str:
    front = dump_yaml(book.model_dump(mode="json", exclude_none=True)).rstrip("\n")
    lines = ["---", front, "---", f"# Skills of {book.role}", ""]
    if not book.skills:
        lines.append("No skills yet (`researchos agents skill add`).")
    for skill in book.skills:
        mark = "adopted" if skill.adopted else f"trial ({skill.positives} positive)"
        lines.append(f"- **{skill.id}** [{mark}, reward {skill.reward:+g}]: {skill.text}")
    return "\n".join(lines) + "\n"
