"""The published JSON Schema of ARA format v1, generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from researchos.artifacts.models import (
    AraManifest,
    CheckpointTrace,
    Claim,
    DecisionTrace,
    ExplorationTree,
    FailureTrace,
)

FILES: dict[str, type] = {
    "ara.yaml": AraManifest,
    "claims/<id>.yaml": Claim,
    "traces/failures/<id>.yaml": FailureTrace,
    "traces/decisions/<id>.yaml": DecisionTrace,
    "traces/checkpoints/<id>.yaml": CheckpointTrace,
    "traces/exploration.yaml": ExplorationTree,
}


def ara_json_schema() -> dict[str, Any]:
    """One JSON Schema (2020-12) document; ``x-files`` maps each ARA file to its definition."""
    keys, defs = models_json_schema(
        [(model, "validation") for model in FILES.values()], title="ResearchOS ARA format v1"
    )
    refs = {name: keys[(model, "validation")]["$ref"] for name, model in FILES.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ResearchOS ARA format v1",
        "description": "Every YAML file of an ARA validates against the definition its path "
        "maps to in x-files; each carries format_version: 1.",
        "x-files": refs,
        "anyOf": [{"$ref": ref} for ref in refs.values()],
        "$defs": defs["$defs"],
    }
