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
    out_of_range: set[str]
    candidates: int

    def to_dict(self) -> dict[str, object]:
        return {
            "files": self.repo.files,
            "problems": self.repo.problems,
            "packages": [p.to_dict() for p in self.repo.packages.values()],
            "candidates": self.candidates,
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


Candidate = tuple[store.PackageHit, LocalPackage, bool | None]


def _sort_key(candidate: Candidate) -> tuple[int, int, float, str]:
    hit, _, verdict = candidate
    order = {True: 0, None: 1, False: 2}[verdict]
    return (order, -REVIEW_RANK.get(hit.review, 0), -hit.updated.timestamp(), hit.link.page_id)


def _ecosystem(value: str | None) -> Ecosystem | None:
    return "npm" if value == "npm" else "python" if value == "python" else None


def _candidates(hits: list[store.PackageHit], packages: RepoPackages) -> list[Candidate]:
    found: list[Candidate] = []
    for hit in hits:
        for local in packages.find(hit.link.package, _ecosystem(hit.link.ecosystem)):
            verdict = (
                applies(hit.link.spec, local.version, local.ecosystem) if local.version else None
            )
            found.append((hit, local, verdict))
    return sorted(found, key=_sort_key)


def match_pages(
    database: Database, packages: RepoPackages, *, limit: int = 50, applicable_only: bool = False
) -> Resolution:
    """Pages whose ``packages`` name one of the project's packages, best first.

    Ranking needs no page bodies, so only the ``limit`` best candidates are fetched in full.
    """
    names = sorted(
        {form for name, _ in packages.packages for form in (name, normalize_name(name, "python"))}
    )
    with database.session() as session:
        candidates = _candidates(store.package_links(session, packages=names), packages)
        applicable = {hit.link.page_id for hit, _, verdict in candidates if verdict is not False}
        out_of_range = {hit.link.page_id for hit, _, v in candidates if v is False} - applicable
        kept = [c for c in candidates if not applicable_only or c[2] is not False][:limit]
        records = store.fetch(session, page_ids=[c[0].link.page_id for c in kept], with_body=False)
    by_id = {record.page_id: record for record in records}
    matches = [
        DependencyMatch(local, by_id[hit.link.page_id], hit.link.spec, verdict)
        for hit, local, verdict in kept
        if hit.link.page_id in by_id
    ]
    return Resolution(packages, matches, out_of_range, len(candidates))


def resolve_dependencies(
    database: Database,
    *,
    repo: Path | None = None,
    libraries: Iterable[str] = (),
    limit: int = 50,
    applicable_only: bool = False,
) -> Resolution:
    packages = project_packages(repo, libraries)
    return match_pages(database, packages, limit=limit, applicable_only=applicable_only)
