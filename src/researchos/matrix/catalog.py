"""Fixtures (small repos with oracle tests), scripted agents and demo experiments, as package data.

A fixture is a directory holding ``fixture.yaml`` (title, task, target file, test command,
forbidden paths), ``repo/`` (the code an agent works on), ``oracle/`` (hidden tests added when
the oracle judges), ``knowledge/`` (pages that seed the knowledge base, so briefs know the
trap) and ``prior.json`` (what a scripted agent writes without knowledge).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from researchos.artifacts.reader import model_from_data
from researchos.errors import InputError, NotFound
from researchos.files import load_yaml, read_text, safe_relative
from researchos.knowledge.page import parse_page
from researchos.knowledge.service import KnowledgeBase, WriteReport
from researchos.matrix.experiment import Name, _Model

ROOT = Path(__file__).resolve().parent / "fixtures"
AGENTS_DIR = ROOT / "agents"
HARNESS = ROOT / "harness" / "run_tests.py"
EXPERIMENTS_DIR = ROOT / "experiments"


class FixtureSpec(_Model):
    format_version: int = 1
    name: Name
    title: str = Field(max_length=300)
    task: str = Field(min_length=1, max_length=4000)
    target: str = Field(max_length=300)
    test_command: list[str] = Field(min_length=1)
    forbidden: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Fixture:
    spec: FixtureSpec
    root: Path

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def repo(self) -> Path:
        return self.root / "repo"

    @property
    def oracle_dir(self) -> Path:
        return self.root / "oracle"

    @property
    def knowledge_dir(self) -> Path:
        return self.root / "knowledge"

    @property
    def prior(self) -> Path:
        return self.root / "prior.json"


def builtin_fixtures() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("*/fixture.yaml"))


def builtin_experiments() -> list[str]:
    return sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml"))


def load_fixture(reference: str, *, base: Path | None, display: str) -> Fixture:
    """A built-in fixture by name, or a directory relative to the experiment file."""
    if reference in builtin_fixtures():
        root = ROOT / reference
    elif base is not None:
        root = safe_relative(base, reference, file=display, field="fixtures")
    else:
        raise NotFound(
            f"no built-in fixture {reference!r}",
            fix=f"use one of {', '.join(builtin_fixtures())}, or a directory next to the file",
        )
    spec_file = root / "fixture.yaml"
    if not spec_file.is_file() or not (root / "repo").is_dir():
        raise InputError(
            f"{reference!r} is not a fixture (fixture.yaml and repo/ are needed)",
            file=display,
            field="fixtures",
        )
    shown = f"{reference}/fixture.yaml"
    spec = model_from_data(FixtureSpec, load_yaml(spec_file, display=shown), display=shown)
    return Fixture(spec, root)


def experiment_path(reference: str) -> Path:
    """A file path, or the name of a demo experiment shipped with ResearchOS."""
    path = Path(reference)
    if path.is_file():
        return path
    if reference in builtin_experiments():
        return EXPERIMENTS_DIR / f"{reference}.yaml"
    raise NotFound(
        f"no experiment file {reference!r}",
        fix=f"give a YAML file, or one of the demos: {', '.join(builtin_experiments())}",
    )


def seed_knowledge(kb: KnowledgeBase, fixture: Fixture) -> WriteReport:
    """Add the fixture's knowledge pages; pages that already exist are left as they are."""
    pages = [
        parse_page(read_text(path), display=f"{fixture.name}/knowledge/{path.name}")
        for path in sorted(fixture.knowledge_dir.glob("*.md"))
    ]
    return kb.write_pages(
        pages,
        event="knowledge.add",
        summary=f"seed knowledge of matrix fixture {fixture.name}",
        merge=lambda current, new: None,
    )
