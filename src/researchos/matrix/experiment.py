"""The experiment file of an agent-run matrix (YAML, ``format_version: 1``), validated by pydantic.

```yaml
format_version: 1
name: brief-effect
fixtures: [api_drift]            # built-in names, or directories next to this file
conditions:
  - {name: baseline, brief: none}
  - {name: mcp-brief, brief: mcp}
agents:
  - {name: follower, scripted: brief_follower}
  - {name: codex, command: [codex, exec, --skip-git-repo-check, "{prompt}"], runner: process}
allow_agent_binaries: [codex]    # headless invocations of otherwise refused binaries
repeats: 3
```

Every problem is an InputError naming the file and the field. Command templates may use only
the placeholders in ``PLACEHOLDERS``; an agent binary that the sandbox refuses as interactive
(``RESEARCHOS_INTERACTIVE_BINARIES``) must be listed in ``allow_agent_binaries`` and invoked in
its headless form (``HEADLESS_FLAGS``), checked in ``check_agent_commands``.
"""

from __future__ import annotations

import shlex
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from researchos.artifacts.reader import model_from_data
from researchos.errors import InputError
from researchos.files import load_yaml
from researchos.sandbox.headless import programs

Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
BriefKind = Literal["none", "static", "mcp"]
SCRIPTED = ("brief_follower", "brief_ignorer")
PLACEHOLDERS = frozenset({"seed", "prompt", "task_file", "agent_dir", "python", "repeat"})
# the flag that makes each known agent binary run one prompt and exit (no TTY, no session)
HEADLESS_FLAGS: dict[str, tuple[str, ...]] = {
    "codex": ("exec",),
    "claude": ("-p", "--print"),
    "claude-code": ("-p", "--print"),
    "gemini": ("-p", "--prompt"),
    "aider": ("--message", "-m", "--message-file"),
}
MAX_CELLS = 5000
MAX_FILE_BYTES = 256 * 1024


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Condition(_Model):
    """What the agent gets: no brief, a static brief file, or the MCP brief."""

    name: Name
    brief: BriefKind = "none"
    description: str = Field(default="", max_length=500)


class Agent(_Model):
    """A scripted agent (offline) or a command template for a headless agent."""

    name: Name
    scripted: Literal["brief_follower", "brief_ignorer"] | None = None
    command: list[Annotated[str, StringConstraints(max_length=4000)]] | None = Field(
        default=None, min_length=1, max_length=100
    )
    runner: Literal["bwrap", "docker", "process"] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Agent:
        if (self.scripted is None) == (self.command is None):
            raise ValueError("give exactly one of scripted and command")
        for word in self.command or []:
            for _, name, _, _ in string.Formatter().parse(word):
                if name is not None and name not in PLACEHOLDERS:
                    raise ValueError(
                        f"unknown placeholder {{{name}}}; use {', '.join(sorted(PLACEHOLDERS))}"
                    )
        return self


class Oracle(_Model):
    command: list[str] | None = Field(default=None, min_length=1, description="default: tests")
    hidden_tests: bool = Field(default=True, description="add the fixture's oracle/ tests")


class Experiment(_Model):
    format_version: Literal[1] = 1
    name: Name
    description: str = Field(default="", max_length=2000)
    fixtures: list[str] = Field(min_length=1, max_length=10)
    conditions: list[Condition] = Field(min_length=1, max_length=20)
    agents: list[Agent] = Field(min_length=1, max_length=20)
    repeats: int = Field(default=3, ge=1, le=200)
    seed: int = Field(default=0, ge=0, le=2**31)
    forbidden: list[str] | None = Field(default=None, max_length=100)
    oracle: Oracle = Field(default_factory=Oracle)
    allow_agent_binaries: list[str] = Field(default_factory=list, max_length=20)
    limits: dict[str, Any] = Field(default_factory=lambda: {"wall_time": 300})
    token_budget: int | None = Field(default=None, ge=200, le=1_000_000)
    workers: int | None = Field(default=None, ge=1, le=64)
    ara: Name | None = Field(default=None, description="ARA slug for the claims")

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        for label, items in (("conditions", self.conditions), ("agents", self.agents)):
            names = [item.name for item in items]
            if len(set(names)) != len(names):
                raise ValueError(f"{label} names must be unique")
        if len(set(self.fixtures)) != len(self.fixtures):
            raise ValueError("fixtures must be unique")
        cells = len(self.fixtures) * len(self.conditions) * len(self.agents) * self.repeats
        if cells > MAX_CELLS:
            raise ValueError(f"{cells} cells is more than {MAX_CELLS}")
        for pattern in self.forbidden or []:
            if pattern.startswith("/") or ".." in pattern.split("/"):
                raise ValueError(f"forbidden pattern {pattern!r} must be relative, without '..'")
        return self

    @property
    def cells(self) -> int:
        return len(self.fixtures) * len(self.conditions) * len(self.agents) * self.repeats


def _words(argv: list[str]) -> set[str]:
    """Every word of the command line, the words of ``sh -c`` scripts included."""
    words = set(argv)
    for word in argv:
        if " " in word:
            try:
                words.update(shlex.split(word))
            except ValueError:
                words.update(word.split())
    return words


def load_experiment(path: Path, *, display: str | None = None) -> Experiment:
    """Read and validate an experiment file; errors name the file and the field."""
    name = display or path.name
    if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"is larger than {MAX_FILE_BYTES // 1024} KiB", file=name)
    return model_from_data(Experiment, load_yaml(path, display=name), display=name)


def check_agent_commands(
    experiment: Experiment, interactive: Iterable[str], *, display: str
) -> set[str]:
    """The interactive binaries this experiment may start headless; refuses everything else."""
    banned = {b.lower() for b in interactive}
    allowed = {b.lower() for b in experiment.allow_agent_binaries}
    for index, binary in enumerate(sorted(allowed)):
        if binary not in HEADLESS_FLAGS:
            raise InputError(
                f"{binary!r} has no known headless invocation",
                file=display,
                field=f"allow_agent_binaries[{index}]",
                fix=f"allow only {', '.join(sorted(HEADLESS_FLAGS))}",
            )
    for index, agent in enumerate(experiment.agents):
        for name in programs(agent.command or []):
            if name not in banned:
                continue
            field = f"agents[{index}].command"
            if name not in allowed:
                raise InputError(
                    f"{name!r} is an interactive coding-agent binary",
                    file=display,
                    field=field,
                    fix=f"list it in allow_agent_binaries and invoke it headless "
                    f"({' or '.join(HEADLESS_FLAGS.get(name, ('?',)))})",
                )
            if not set(HEADLESS_FLAGS[name]) & _words(agent.command or []):
                raise InputError(
                    f"{name!r} must be invoked headless",
                    file=display,
                    field=field,
                    fix=f"add {' or '.join(HEADLESS_FLAGS[name])} to the command",
                )
    return allowed
