"""The five files of an agent role (``agents/<role>/``) and who may write which.

``persona.md`` and ``constraints.md`` say who an agent is and what it must never do, so
they are read-only to agents: only a person (``user:*``) writes them. ``skills.md`` is
changed through skill commands only (its frontmatter is validated); ``rewards.md`` is the
outcome ledger the skill commands append to; ``reflections.md`` is free text anyone writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from researchos.errors import InputError, PermissionDenied
from researchos.landscape.gates import normalise_actor
from researchos.learning.skills import SkillBook, render_book
from researchos.workspace.layout import Workspace

FILES = ("persona.md", "constraints.md", "skills.md", "rewards.md", "reflections.md")
READ_ONLY_TO_AGENTS = frozenset({"persona.md", "constraints.md"})
WRITABLE = ("persona.md", "constraints.md", "reflections.md")
_ROLE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def check_role(role: str) -> str:
    if not _ROLE.match(role):
        raise InputError(
            f"role name {role!r} is not allowed",
            field="role",
            fix="use lower-case letters, digits and '-' (e.g. builder, reviewer)",
        )
    return role


def check_write(name: str, actor: str) -> None:
    """Refuse writes an actor may not make; agents never touch persona or constraints."""
    if name not in FILES:
        raise InputError(f"unknown agent file {name!r}", field="file", fix=f"one of {FILES}")
    if name in READ_ONLY_TO_AGENTS and not normalise_actor(actor).startswith("user:"):
        raise PermissionDenied(
            f"{name} is read-only to agents; {actor!r} may not change it",
            fix="a person edits it (RESEARCHOS_ACTOR=user:<name>)",
        )


def check_direct_write(name: str) -> None:
    if name not in WRITABLE:
        raise InputError(
            f"{name} is written by ResearchOS",
            field="file",
            fix="use `researchos agents skill add|outcome` for skills and rewards",
        )


@dataclass(frozen=True)
class RolePaths:
    workspace: Workspace
    role: str

    @property
    def root(self) -> Path:
        return self.workspace.agents_dir / check_role(self.role)

    def file(self, name: str) -> Path:
        return self.root / name


def initial_files(role: str, persona: str = "") -> dict[str, str]:
    return {
        "persona.md": f"# Persona: {role}\n\n{persona or 'Who this agent is and how it works.'}\n"
        "\n(Written by a person; read-only to agents.)\n",
        "constraints.md": f"# Constraints: {role}\n\n"
        "- Never merge, reject or retract research-landscape entries: propose them.\n"
        "- Never change persona.md or constraints.md.\n"
        "- Every claim cites evidence on disk.\n\n(Written by a person; read-only to agents.)\n",
        "skills.md": render_book(SkillBook(role=role)),
        "rewards.md": f"# Rewards: {role}\n\nOutcome ledger (one line per outcome or "
        "pruning; written by `researchos agents skill`).\n\n",
        "reflections.md": f"# Reflections: {role}\n\n",
    }
