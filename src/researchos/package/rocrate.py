"""``ro-crate-metadata.json``: the package described as an RO-Crate 1.1 (attached, zipped).

Mapping (docs/packages.md has the table): the package root is the Root Data Entity ``./``;
every member is a ``File`` data entity listed in its ``hasPart`` with ``contentSize``,
``encodingFormat`` and ``sha256``; ARA authors are ``Person`` entities; each known run is a
``CreateAction`` (instrument: code/reproduce.sh, result: its artefacts and evidence) listed in
the root's ``mentions``. ``manifest.json`` and its signature are listed too but without hash
or size: the manifest indexes this file, so this file cannot index the manifest.

``check_crate`` applies the RO-Crate 1.1 rules that can be checked offline.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from researchos.package.manifest import (
    CRATE_NAME,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    AraInfo,
    FileEntry,
    RunRecord,
)

CONTEXT = "https://w3id.org/ro/crate/1.1/context"
PROFILE = "https://w3id.org/ro/crate/1.1"
ROOT = "./"
UNSPECIFIED_LICENSE = "#license-unspecified"
_STATUS = {
    "succeeded": "http://schema.org/CompletedActionStatus",
    "failed": "http://schema.org/FailedActionStatus",
    "timed_out": "http://schema.org/FailedActionStatus",
    "canceled": "http://schema.org/FailedActionStatus",
}
UNINDEXED = {
    MANIFEST_NAME: (
        "application/json",
        "Package manifest: sha256 and size of every other member, provenance, signer. "
        "Signed by manifest.json.sig.",
    ),
    SIGNATURE_NAME: ("application/octet-stream", "Detached Ed25519 signature over manifest.json."),
}


def ref(entity_id: str) -> dict[str, str]:
    return {"@id": entity_id}


def file_id(member: str) -> str:
    """A member name as a relative URI reference (spaces and the like percent-encoded)."""
    return quote(member, safe="/")


def build_crate(
    *,
    ara: AraInfo,
    description: str,
    keywords: Sequence[str],
    version: int,
    created: datetime,
    license_url: str | None,
    entries: Sequence[FileEntry],
    runs: Sequence[RunRecord],
) -> dict[str, Any]:
    files = [_file_entity(entry) for entry in entries]
    files += [_unindexed_entity(name) for name in UNINDEXED]
    actions = [_action(run, entries) for run in runs]
    authors = [
        {"@id": f"#author-{i}", "@type": "Person", "name": name}
        for i, name in enumerate(ara.authors, start=1)
    ]
    license_entity = _license(license_url)
    root: dict[str, Any] = {
        "@id": ROOT,
        "@type": "Dataset",
        "name": ara.title,
        "description": description or f"Frozen ARA {ara.slug}, version {version}.",
        "identifier": ara.id,
        "version": str(version),
        "datePublished": created.isoformat(),
        "license": ref(license_entity["@id"]),
        "author": [ref(a["@id"]) for a in authors],
        "keywords": ", ".join(keywords),
        "hasPart": [ref(f["@id"]) for f in files],
        "mentions": [ref(a["@id"]) for a in actions],
    }
    descriptor = {
        "@id": CRATE_NAME,
        "@type": "CreativeWork",
        "conformsTo": ref(PROFILE),
        "about": ref(ROOT),
    }
    graph = [descriptor, root, *files, *authors, license_entity, *actions]
    return {"@context": CONTEXT, "@graph": graph}


def crate_bytes(crate: dict[str, Any]) -> bytes:
    return (json.dumps(crate, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _file_entity(entry: FileEntry) -> dict[str, Any]:
    return {
        "@id": file_id(entry.path),
        "@type": "File",
        "name": entry.path.rsplit("/", 1)[-1],
        "contentSize": str(entry.size),
        "encodingFormat": entry.media_type,
        "sha256": entry.sha256,
    }


def _unindexed_entity(name: str) -> dict[str, Any]:
    media, description = UNINDEXED[name]
    return {
        "@id": file_id(name),
        "@type": "File",
        "name": name,
        "encodingFormat": media,
        "description": description,
    }


def _license(url: str | None) -> dict[str, Any]:
    if url:
        return {"@id": url, "@type": "CreativeWork", "name": url}
    return {
        "@id": UNSPECIFIED_LICENSE,
        "@type": "CreativeWork",
        "name": "No license declared",
        "description": "The authors declared no license; ask them before re-use.",
    }


def _action(run: RunRecord, entries: Sequence[FileEntry]) -> dict[str, Any]:
    members = {entry.path for entry in entries}
    known = (("condition", run.condition), ("seed", run.seed))
    details = [f"{key}={value}" for key, value in known if value is not None]
    action: dict[str, Any] = {
        "@id": f"#run-{run.id}",
        "@type": "CreateAction",
        "name": f"Run {run.id}",
        "description": ", ".join(details) or f"Run {run.id}",
        "result": [ref(file_id(p)) for p in [*run.artifacts, *run.evidence] if p in members],
    }
    if "code/reproduce.sh" in members:
        action["instrument"] = ref(file_id("code/reproduce.sh"))
    if run.started:
        action["startTime"] = run.started.isoformat()
    if run.ended:
        action["endTime"] = run.ended.isoformat()
    status = next((v for k, v in _STATUS.items() if (run.status or "").startswith(k)), None)
    if status:
        action["actionStatus"] = ref(status)
    return action


# --- offline validation ----------------------------------------------------------------------


def check_crate(crate: Any) -> list[str]:
    """Problems with an RO-Crate 1.1 metadata document; empty when it conforms."""
    if not isinstance(crate, dict):
        return ["the metadata document is not a JSON object"]
    problems: list[str] = []
    if crate.get("@context") != CONTEXT:
        problems.append(f"@context must be the string {CONTEXT!r}")
    graph = crate.get("@graph")
    if not isinstance(graph, list) or not all(isinstance(e, dict) for e in graph):
        return [*problems, "@graph must be a list of objects"]
    entities = _index(graph, problems)
    problems += _check_descriptor(entities.get(CRATE_NAME))
    root = entities.get(ROOT)
    problems += _check_root(root)
    problems += _check_references(entities)
    if isinstance(root, dict):
        problems += _check_files(entities, root)
    return problems


def _index(graph: list[dict[str, Any]], problems: list[str]) -> dict[str, dict[str, Any]]:
    ids = [e.get("@id") for e in graph]
    for bad in (e for e in graph if not isinstance(e.get("@id"), str) or "@type" not in e):
        problems.append(f"entity {bad.get('@id')!r} needs a string @id and an @type")
    for duplicate in sorted(i for i, n in Counter(map(str, ids)).items() if n > 1):
        problems.append(f"@id {duplicate!r} is used by more than one entity")
    return {e["@id"]: e for e in graph if isinstance(e.get("@id"), str)}


def _types(entity: dict[str, Any]) -> set[str]:
    value = entity.get("@type")
    return {value} if isinstance(value, str) else set(value) if isinstance(value, list) else set()


def _ref_id(value: Any) -> str | None:
    return value.get("@id") if isinstance(value, dict) else None


def _check_descriptor(descriptor: dict[str, Any] | None) -> list[str]:
    if descriptor is None:
        return [f"no metadata descriptor entity with @id {CRATE_NAME!r}"]
    problems = []
    if "CreativeWork" not in _types(descriptor):
        problems.append("the metadata descriptor must have @type CreativeWork")
    conforms = _ref_id(descriptor.get("conformsTo")) or ""
    if not conforms.startswith(PROFILE):
        problems.append(f"the metadata descriptor must conformsTo {{'@id': {PROFILE!r}}}")
    if _ref_id(descriptor.get("about")) != ROOT:
        problems.append("the metadata descriptor must be about {'@id': './'}")
    return problems


def _check_root(root: dict[str, Any] | None) -> list[str]:
    if root is None:
        return ["no root data entity with @id './'"]
    problems = [] if "Dataset" in _types(root) else ["the root data entity must be a Dataset"]
    for name in ("name", "description", "datePublished", "license"):
        if not root.get(name):
            problems.append(f"the root data entity needs {name}")
    try:
        datetime.fromisoformat(str(root.get("datePublished")))
    except ValueError:
        problems.append("datePublished must be an ISO 8601 date")
    return problems


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if set(value) == {"@id"} and isinstance(value["@id"], str):
            yield value["@id"]
        else:
            for item in value.values():
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _check_references(entities: dict[str, dict[str, Any]]) -> list[str]:
    """Local references (relative paths and #ids) must name an entity of the graph."""
    problems = []
    for entity_id, entity in entities.items():
        body = {k: v for k, v in entity.items() if k != "@id"}
        for target in _references(body):
            if urlsplit(target).scheme or target in entities:
                continue
            problems.append(f"{entity_id!r} refers to {target!r}, which is not in the @graph")
    return problems


def _check_files(entities: dict[str, dict[str, Any]], root: dict[str, Any]) -> list[str]:
    parts = [_ref_id(item) for item in _as_list(root.get("hasPart"))]
    problems = [f"hasPart names {p!r}, not in the @graph" for p in parts if p not in entities]
    reachable = set(_reachable(entities, [p for p in parts if p]))
    for entity_id, entity in entities.items():
        if "File" not in _types(entity):
            continue
        if entity_id not in reachable:
            problems.append(f"File {entity_id!r} is not reachable from the root's hasPart")
        if not _is_relative_path(entity_id):
            problems.append(f"File @id {entity_id!r} must be a relative path inside the crate")
    return problems


def _reachable(entities: dict[str, dict[str, Any]], start: Iterable[str]) -> Iterator[str]:
    stack, seen = list(start), set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        entity = entities.get(current, {})
        stack += [i for i in (_ref_id(x) for x in _as_list(entity.get("hasPart"))) if i]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _is_relative_path(entity_id: str) -> bool:
    parts = urlsplit(entity_id)
    path = unquote(parts.path)
    return (
        not parts.scheme
        and not parts.netloc
        and bool(path)
        and not path.startswith("/")
        and ".." not in path.split("/")
    )
