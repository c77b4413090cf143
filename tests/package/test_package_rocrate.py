"""The package's ro-crate-metadata.json against the RO-Crate 1.1 rules checkable offline."""

from __future__ import annotations

import copy
import json
import re
import zipfile
from typing import Any
from urllib.parse import unquote

import pytest

from researchos.package.manifest import parse_manifest
from researchos.package.rocrate import CONTEXT, check_crate


@pytest.fixture
def crate(frozen) -> dict[str, Any]:
    with zipfile.ZipFile(frozen.zip_path) as archive:
        return json.loads(archive.read("ro-crate-metadata.json"))


def _entities(crate: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entity["@id"]: entity for entity in crate["@graph"]}


def test_the_crate_conforms_to_ro_crate_1_1(crate: dict[str, Any]) -> None:
    assert check_crate(crate) == []
    assert crate["@context"] == CONTEXT
    entities = _entities(crate)
    descriptor = entities["ro-crate-metadata.json"]
    assert descriptor["conformsTo"] == {"@id": "https://w3id.org/ro/crate/1.1"}
    assert descriptor["about"] == {"@id": "./"}
    root = entities["./"]
    assert root["@type"] == "Dataset" and root["name"] == "Sorting study"
    assert root["license"] == {"@id": "https://spdx.org/licenses/CC-BY-4.0"}
    assert entities[root["author"][0]["@id"]] == {
        "@id": "#author-1",
        "@type": "Person",
        "name": "Ada Lovelace",
    }
    assert root["datePublished"].startswith("20")


def test_every_member_is_a_file_entity_matching_the_manifest(frozen, crate) -> None:
    entities = _entities(crate)
    parts = {part["@id"] for part in entities["./"]["hasPart"]}
    manifest = parse_manifest(frozen.manifest_path.read_bytes())
    with zipfile.ZipFile(frozen.zip_path) as archive:
        members = set(archive.namelist())
    files = {unquote(i) for i, e in entities.items() if e.get("@type") == "File"}
    assert files == members - {"ro-crate-metadata.json"}
    assert {unquote(p) for p in parts} == files
    for entry in manifest.files:
        if entry.path == "ro-crate-metadata.json":
            continue
        entity = entities[entry.path]
        assert entity["sha256"] == entry.sha256
        assert entity["contentSize"] == str(entry.size)
        assert entity["encodingFormat"] == entry.media_type
    assert entities["views/paper.md"]["encodingFormat"] == "text/markdown"


def test_runs_become_create_actions(crate: dict[str, Any]) -> None:
    entities = _entities(crate)
    action = entities["#run-run-1"]
    assert action["@type"] == "CreateAction"
    assert action["instrument"] == {"@id": "code/reproduce.sh"}
    results = {r["@id"] for r in action["result"]}
    assert {"runs/run-1/metrics.jsonl", "evidence/raw/metrics.jsonl"} <= results
    assert action["actionStatus"] == {"@id": "http://schema.org/CompletedActionStatus"}
    assert action["startTime"].startswith("2026-01-01T10:00:00")
    assert {"@id": "#run-run-1"} in entities["./"]["mentions"]


def _broken(crate: dict[str, Any], change) -> list[str]:
    clone = copy.deepcopy(crate)
    change(clone)
    return check_crate(clone)


def _entity(crate: dict[str, Any], entity_id: str) -> dict[str, Any]:
    return next(e for e in crate["@graph"] if e["@id"] == entity_id)


def test_the_checker_catches_each_rule(crate: dict[str, Any]) -> None:
    cases = {
        "@context must be": lambda c: c.update({"@context": [CONTEXT]}),
        "no metadata descriptor": lambda c: c["@graph"].pop(0),
        "conformsTo": lambda c: _entity(c, "ro-crate-metadata.json").update(
            {"conformsTo": {"@id": "https://w3id.org/ro/crate/1.0"}}
        ),
        "about": lambda c: _entity(c, "ro-crate-metadata.json").update({"about": "./"}),
        "needs license": lambda c: _entity(c, "./").pop("license"),
        "not in the @graph": lambda c: _entity(c, "./")["hasPart"].append({"@id": "ghost.txt"}),
        "not reachable": lambda c: _entity(c, "./")["hasPart"].pop(0),
        "must be a relative path": lambda c: c["@graph"].append(
            {"@id": "/etc/passwd", "@type": "File"}
        ),
        "more than one entity": lambda c: c["@graph"].append(dict(_entity(c, "ara.yaml"))),
        "ISO 8601": lambda c: _entity(c, "./").update({"datePublished": "yesterday"}),
    }
    for message, change in cases.items():
        problems = _broken(crate, change)
        assert any(message in p for p in problems), (message, problems)


def test_verify_rejects_a_crate_that_breaks_the_rules(frozen, rezip, tmp_path) -> None:
    """A crate edited after freezing fails twice: its hash, and the rules."""
    from researchos.package import verify

    with zipfile.ZipFile(frozen.zip_path) as archive:
        crate = json.loads(archive.read("ro-crate-metadata.json"))
    crate["@context"] = "https://example.org/not-ro-crate"
    bad = rezip(
        frozen.zip_path,
        tmp_path / "bad.zip",
        replace={"ro-crate-metadata.json": json.dumps(crate).encode()},
    )
    problems = "\n".join(verify(bad).problems)
    assert re.search(r"ro-crate-metadata\.json: (sha256|\d+ bytes)", problems)
    assert "ro-crate-metadata.json: @context" in problems
