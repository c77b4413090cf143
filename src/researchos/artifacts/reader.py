"""Reading ARA files into models, with errors that name the file and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from researchos.artifacts.models import (
    TRACE_DIRS,
    TRACE_TYPES,
    AraManifest,
    Claim,
    ExplorationTree,
    Trace,
)
from researchos.errors import InputError
from researchos.files import load_yaml, parse_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class AraPaths:
    """The files of one ARA directory."""

    root: Path

    @property
    def slug(self) -> str:
        return self.root.name

    @property
    def manifest(self) -> Path:
        return self.root / "ara.yaml"

    @property
    def claims_dir(self) -> Path:
        return self.root / "claims"

    def claim(self, claim_id: str) -> Path:
        return self.claims_dir / f"{claim_id}.yaml"

    def trace_dir(self, kind: str) -> Path:
        return self.root / "traces" / TRACE_DIRS[kind]

    def trace(self, kind: str, trace_id: str) -> Path:
        return self.trace_dir(kind) / f"{trace_id}.yaml"

    @property
    def exploration(self) -> Path:
        return self.root / "traces" / "exploration.yaml"

    @property
    def evidence_dir(self) -> Path:
        return self.root / "evidence"

    @property
    def code_dir(self) -> Path:
        return self.root / "code"

    @property
    def views_dir(self) -> Path:
        return self.root / "views"

    def display(self, path: Path) -> str:
        """``ara/<slug>/...`` for messages."""
        return f"ara/{self.slug}/{path.relative_to(self.root).as_posix()}"


def model_from_data(model: type[M], data: Any, *, display: str) -> M:
    """Validate parsed YAML against ``model``; the first problem names file and field."""
    if not isinstance(data, dict):
        raise InputError(
            f"expected a mapping at the top level, found {type(data).__name__}",
            file=display,
            fix="the file must be a YAML mapping of fields",
        )
    version = data.get("format_version")
    if version is not None and version != 1:
        raise InputError(
            f"unsupported format_version {version!r}",
            file=display,
            field="format_version",
            fix="this ResearchOS reads format_version: 1",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_to_input_error(exc, display=display) from None


def validation_to_input_error(exc: ValidationError, *, display: str) -> InputError:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    problem = first["msg"]
    if first["type"] == "extra_forbidden":
        problem = "unknown field"
    elif first["type"] == "missing":
        problem = "required field is missing"
    more = len(exc.errors()) - 1
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''})"
    return InputError(problem, file=display, field=field)


def load_model(model: type[M], path: Path, *, display: str) -> M:
    return model_from_data(model, load_yaml(path, display=display), display=display)


def parse_model(model: type[M], text: str, *, display: str) -> M:
    return model_from_data(model, parse_yaml(text, display=display), display=display)


def load_manifest(paths: AraPaths) -> AraManifest:
    return load_model(AraManifest, paths.manifest, display=paths.display(paths.manifest))


def load_claim(paths: AraPaths, claim_id: str) -> Claim:
    path = paths.claim(claim_id)
    claim = load_model(Claim, path, display=paths.display(path))
    if claim.id != claim_id:
        raise InputError(
            f"id {claim.id!r} does not match the file name",
            field="id",
            file=paths.display(path),
            fix=f"set id: {claim_id}",
        )
    return claim


def load_trace(paths: AraPaths, kind: str, trace_id: str) -> Trace:
    path = paths.trace(kind, trace_id)
    return load_model(TRACE_TYPES[kind], path, display=paths.display(path))


def load_exploration(paths: AraPaths) -> ExplorationTree:
    if not paths.exploration.exists():
        return ExplorationTree()
    return load_model(ExplorationTree, paths.exploration, display=paths.display(paths.exploration))


def trace_ids(paths: AraPaths, kind: str) -> list[str]:
    directory = paths.trace_dir(kind)
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.glob("*.yaml"))


def claim_file_ids(paths: AraPaths) -> list[str]:
    if not paths.claims_dir.is_dir():
        return []
    return sorted(p.stem for p in paths.claims_dir.glob("*.yaml"))
