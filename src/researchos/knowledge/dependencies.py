"""Dependency knowledge: pages about packages, matched against a project's local versions."""

from __future__ import annotations

import heapq
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from researchos.errors import InputError
from researchos.knowledge.manifests import LocalPackage, RepoPackages, read_repo
from researchos.knowledge.versions import Ecosystem, applies, normalize_name, split_package
from researchos.store import knowledge as store
from researchos.store.database import Database

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


TIER = {True: 0, None: 1, False: 2}
Judged = list[tuple[LocalPackage, bool | None]]


def _ecosystem(value: str | None) -> Ecosystem | None:
    return "npm" if value == "npm" else "python" if value == "python" else None


def _verdicts(link: store.PackageLink, packages: RepoPackages) -> Judged:
    """Each local package a link names, with whether the link's range holds its version."""
    return [
        (local, applies(link.spec, local.version, local.ecosystem) if local.version else None)
        for local in packages.find(link.package, _ecosystem(link.ecosystem))
    ]


def _names(packages: RepoPackages) -> list[str]:
    return sorted(
        {form for name, _ in packages.packages for form in (name, normalize_name(name, "python"))}
    )


Ranked = tuple[int, int, float, str, store.PackageLink, LocalPackage, bool | None]


def _ranked(
    links: Sequence[store.PackageLink], packages: RepoPackages, *, applicable_only: bool
) -> list[Ranked]:
    """Links with their verdicts; each distinct (package, range) pair is judged once."""
    judged: dict[tuple[str, str | None, str], Judged] = {}
    out: list[Ranked] = []
    for link in links:
        key = (link.package, link.ecosystem, link.spec)
        if key not in judged:
            judged[key] = _verdicts(link, packages)
        for local, verdict in judged[key]:
            if not (applicable_only and verdict is False):
                order = (TIER[verdict], -link.rank, -link.updated_ts, link.page_id)
                out.append((*order, link, local, verdict))
    return out


def match_pages(
    session: Session, packages: RepoPackages, *, limit: int = 50, applicable_only: bool = False
) -> Resolution:
    """Pages whose ``packages`` name one of the project's packages, best first: in range, then
    undecidable, then (unless ``applicable_only``) out of range; verified before reviewed
    before draft, newest first. Only the ``limit`` best pages are read in full."""
    ranked = _ranked(
        store.package_links(session, packages=_names(packages)),
        packages,
        applicable_only=applicable_only,
    )
    best = heapq.nsmallest(limit, ranked, key=lambda item: item[:4])
    records = store.fetch(session, page_ids=[item[3] for item in best], with_body=False)
    by_id = {record.page_id: record for record in records}
    matches = [
        DependencyMatch(local, by_id[link.page_id], link.spec, verdict)
        for *_, link, local, verdict in best
        if link.page_id in by_id
    ]
    return Resolution(packages, matches, len(ranked))


def out_of_range(session: Session, packages: RepoPackages, page_ids: Sequence[str]) -> set[str]:
    """Of ``page_ids``, those about a version range the project is outside of (and no other)."""
    verdicts: dict[str, set[bool | None]] = {}
    for link in store.links_of(session, page_ids=page_ids):
        for _, verdict in _verdicts(link, packages):
            verdicts.setdefault(link.page_id, set()).add(verdict)
    return {page_id for page_id, seen in verdicts.items() if seen == {False}}


Fingerprint = tuple[object, ...]


@dataclass
class ResolutionCache:
    """Resolutions by (project packages, index generation): a long-lived server answers
    repeated briefs for one project without re-ranking its package links. Any index write
    bumps the generation, and a changed manifest changes the packages, so entries never
    go stale."""

    size: int = 32
    _entries: OrderedDict[Fingerprint, Resolution] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Fingerprint) -> Resolution | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def put(self, key: Fingerprint, value: Resolution) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _fingerprint(packages: RepoPackages, session: Session, *extra: object) -> Fingerprint:
    items = tuple(
        sorted(
            (p.name, p.ecosystem, p.version, p.declared, p.file) for p in packages.packages.values()
        )
    )
    return (store.generation(session), items, *extra)


def resolve_dependencies(
    database: Database,
    *,
    repo: Path | None = None,
    libraries: Iterable[str] = (),
    limit: int = 50,
    applicable_only: bool = False,
    cache: ResolutionCache | None = None,
) -> Resolution:
    """The project's packages and the best pages about them (see ``match_pages``)."""
    with database.session() as session:
        return resolve_in(
            session,
            repo=repo,
            libraries=libraries,
            limit=limit,
            applicable_only=applicable_only,
            cache=cache,
        )


def resolve_in(
    session: Session,
    *,
    repo: Path | None = None,
    libraries: Iterable[str] = (),
    limit: int = 50,
    applicable_only: bool = False,
    cache: ResolutionCache | None = None,
) -> Resolution:
    """``resolve_dependencies`` inside a session the caller holds (a brief reads in one)."""
    packages = project_packages(repo, libraries)
    if cache is None:
        return match_pages(session, packages, limit=limit, applicable_only=applicable_only)
    key = _fingerprint(packages, session, limit, applicable_only)
    found = cache.get(key)
    if found is None:
        found = match_pages(session, packages, limit=limit, applicable_only=applicable_only)
        cache.put(key, found)
    return found
