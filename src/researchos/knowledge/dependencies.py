"""Dependency knowledge: pages about packages, matched against a project's local versions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from researchos.errors import InputError
from researchos.knowledge.manifests import LocalPackage, RepoPackages, read_repo
from researchos.knowledge.versions import Ecosystem, applies, normalize_name, split_package
from researchos.store import knowledge as store
from researchos.store.database import Database

REVIEW_RANK = {"verified": 3, "reviewed": 2, "draft": 1, "evidence-only": 0}
_LIBRARY = re.compile(
    r"^(?P<name>@?[A-Za-z0-9][\w.\-/:]*?)\s*(?:(?:==|@|=)\s*(?P<ver>[\w.+!-]+))?$"
)


@dataclass(frozen=True)
class DependencyMatch:
    """One page about one package the project uses."""

    package: LocalPackage
    page: store.PageRecord
    spec: str
    applies: bool | None

    def to_dict(self) -> dict[str, object]:
        return {
            **self.package.to_dict(),
            "page_id": self.page.page_id,
            "page_kind": self.page.kind,
            "title": self.page.title,
            "review": self.page.review,
            "spec": self.spec,
            "applies": self.applies,
        }


@dataclass(frozen=True)
class Resolution:
    repo: RepoPackages
    matches: list[DependencyMatch]

    def to_dict(self) -> dict[str, object]:
        return {
            "files": self.repo.files,
            "problems": self.repo.problems,
            "packages": [p.to_dict() for p in self.repo.packages.values()],
            "matches": [m.to_dict() for m in self.matches],
        }


def parse_library(text: str) -> LocalPackage:
    """``httpx``, ``httpx==0.28.1``, ``npm:axios@1.6.0`` as given by an agent."""
    match = _LIBRARY.match(text.strip())
    if not match:
        raise InputError(
            f"{text!r} is not a package name with an optional version",
            field="libraries",
            fix="write name, name==1.2.3 or npm:name@1.2.3",
        )
    name, ecosystem = split_package(match["name"])
    system: Ecosystem = ecosystem or "python"
    return LocalPackage(name, system, match["ver"], None, "(given)")


def project_packages(repo: Path | None, libraries: Iterable[str] = ()) -> RepoPackages:
    """Packages from the repo's manifests plus the libraries named by the caller."""
    found = read_repo(repo) if repo is not None else RepoPackages()
    for text in libraries:
        given = parse_library(text)
        key = (given.name, given.ecosystem)
        if key not in found.packages or given.version:
            found.packages[key] = given
    return found


def _sort_key(match: DependencyMatch) -> tuple[int, int, float, str]:
    order = {True: 0, None: 1, False: 2}[match.applies]
    review = -REVIEW_RANK.get(match.page.review, 0)
    return (order, review, -match.page.updated.timestamp(), match.page.page_id)


def match_pages(database: Database, packages: RepoPackages) -> list[DependencyMatch]:
    """Every page whose ``packages`` names one of the project's packages, best first."""
    names = sorted(
        {form for name, _ in packages.packages for form in (name, normalize_name(name, "python"))}
    )
    if not names:
        return []
    with database.session() as session:
        links = store.package_links(session, packages=names)
        pages = {
            r.page_id: r
            for r in store.fetch(
                session, page_ids=[link.page_id for link in links], with_body=False
            )
        }
    matches = []
    for link in links:
        ecosystem: Ecosystem | None = (
            "npm" if link.ecosystem == "npm" else "python" if link.ecosystem == "python" else None
        )
        for local in packages.find(link.package, ecosystem):
            verdict = applies(link.spec, local.version, local.ecosystem) if local.version else None
            if link.page_id in pages:
                matches.append(DependencyMatch(local, pages[link.page_id], link.spec, verdict))
    return sorted(matches, key=_sort_key)


def resolve_dependencies(
    database: Database, *, repo: Path | None = None, libraries: Iterable[str] = ()
) -> Resolution:
    packages = project_packages(repo, libraries)
    return Resolution(packages, match_pages(database, packages))
