"""The package manifest (``manifest.json``, format_version 1) and the pipeline's inputs to it.

The manifest is the one signed document of a package: it indexes every other member by
sha256 and size and carries the provenance a reader needs to judge the results — the model
policy, provider routing records, code hashes, seeds, run ids and the MOCK flag. Its exact
bytes are what the Ed25519 signature covers, so it is serialised once, deterministically,
and never re-encoded before verification.

``FreezeExtra`` is what the pipeline passes to ``freeze(extra=...)``; it is validated
strictly so a misspelt field is an error, not silently dropped provenance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from researchos.artifacts.models import Sha256
from researchos.artifacts.reader import model_from_data
from researchos.errors import InputError, UnsafeInput
from researchos.logs import redact

MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.sig"
PUBLIC_KEY_NAME = "signing-key.pub"
CRATE_NAME = "ro-crate-metadata.json"
RUNS_PREFIX = "runs/"
# members that exist in every package and are not ARA content
RESERVED_NAMES = (MANIFEST_NAME, SIGNATURE_NAME, PUBLIC_KEY_NAME, CRATE_NAME)
PACKAGE_KIND = "researchos.package"

RunId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
Role = Literal["ara", "claim", "trace", "evidence", "code", "view", "run", "metadata", "other"]
_SECRET_FIELDS = {"api_key", "apikey", "secret", "password", "token", "authorization", "bearer"}
_SECRET_SUFFIXES = ("_api_key", "_secret", "_password", "_token")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- what the pipeline passes ----------------------------------------------------------------


class RunInput(_Strict):
    """One experiment run as the pipeline knows it; ``artifacts_dir`` is copied to runs/<id>/."""

    id: RunId
    condition: str | None = None
    seed: int | None = None
    code_hash: str | None = Field(default=None, description="Hash of the code the run executed.")
    status: str | None = Field(
        default=None, description="Result class: succeeded_valid, failed_terminal, timed_out..."
    )
    started: datetime | None = None
    ended: datetime | None = None
    environment: dict[str, Any] = Field(default_factory=dict)
    limits: dict[str, Any] = Field(default_factory=dict)
    routing: list[dict[str, Any]] = Field(default_factory=list)
    artifacts_dir: Path | None = Field(
        default=None,
        description="Directory under the workspace's var/runs/ whose files go to runs/<id>/.",
    )


class FreezeExtra(_Strict):
    """Provenance the pipeline adds to a package (all optional)."""

    model_policy: dict[str, Any] = Field(
        default_factory=dict,
        description="Phase -> tier -> model policy in force, run mode, overrides.",
    )
    routing: list[dict[str, Any]] = Field(
        default_factory=list, description="provider_routing records (requested vs resolved)."
    )
    code_hashes: dict[str, str] = Field(
        default_factory=dict, description="Named code hashes, e.g. spec id -> code_hash."
    )
    seeds: list[int] = Field(default_factory=list)
    runs: list[RunInput] = Field(default_factory=list)
    mock: bool = Field(default=False, description="Force the MOCK flag (mock provider used).")
    license: str | None = Field(default=None, description="License URL (e.g. an SPDX URL).")
    project: str | None = None
    review: dict[str, Any] = Field(
        default_factory=dict, description="Review summary: issue counts, waivers, readiness tier."
    )

    @field_validator("runs")
    @classmethod
    def _unique_runs(cls, runs: list[RunInput]) -> list[RunInput]:
        ids = [run.id for run in runs]
        duplicates = sorted({run_id for run_id in ids if ids.count(run_id) > 1})
        if duplicates:
            raise ValueError(f"run ids must be unique: {', '.join(duplicates)} repeated")
        return runs


def parse_extra(extra: Mapping[str, Any] | None) -> FreezeExtra:
    """Validate the pipeline's ``extra``; refuse anything that looks like a secret."""
    data = dict(extra or {})
    refuse_secrets(data, "extra")
    return model_from_data(FreezeExtra, data, display="freeze(extra=...)")


def refuse_secrets(value: Any, where: str) -> None:
    """Packages never hold secrets: refuse secret-named fields and key-shaped strings."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{where}.{key}"
            if _secret_name(str(key)) and item not in (None, "", [], {}):
                raise UnsafeInput(
                    "looks like a secret; packages never hold secrets",
                    field=name,
                    fix="drop the field before freezing",
                )
            refuse_secrets(item, name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            refuse_secrets(item, f"{where}.{index}")
    elif isinstance(value, str) and redact(value) != value:
        raise UnsafeInput(
            "holds an API key or bearer token; packages never hold secrets",
            field=where,
            fix="remove the secret before freezing",
        )


def _secret_name(key: str) -> bool:
    name = key.lower().replace("-", "_")
    return name in _SECRET_FIELDS or name.endswith(_SECRET_SUFFIXES)


# --- the manifest ----------------------------------------------------------------------------


class FileEntry(_Strict):
    path: str = Field(description="Member name inside the ZIP (POSIX, relative).")
    sha256: Sha256
    size: int = Field(ge=0, description="Uncompressed size in bytes.")
    role: Role
    media_type: str
    executable: bool = False


class Signer(_Strict):
    algorithm: Literal["ed25519"] = "ed25519"
    public_key: str = Field(description="Raw Ed25519 public key, 64 hex characters.")
    fingerprint: str = Field(description="First 32 hex characters of sha256(public key).")


class AraInfo(_Strict):
    id: str
    slug: str
    title: str
    status: str
    mode: str
    authors: list[str] = Field(default_factory=list)
    source_commit: str | None = Field(
        default=None, description="Workspace commit the ARA content was frozen from."
    )


class ClaimSummary(_Strict):
    id: str
    kind: str
    status: str
    mock: bool = False


class RunRecord(_Strict):
    """A run as recorded in the manifest; ``artifacts`` are member names under runs/<id>/."""

    id: str
    condition: str | None = None
    seed: int | None = None
    code_hash: str | None = None
    status: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    environment: dict[str, Any] = Field(default_factory=dict)
    limits: dict[str, Any] = Field(default_factory=dict)
    routing: list[dict[str, Any]] = Field(default_factory=list)
    artifacts: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(
        default_factory=list, description="ARA evidence files whose references name this run."
    )


class CodeBlock(_Strict):
    tree_sha256: str | None = Field(
        default=None, description="sha256 over the sorted 'path sha256' lines of code/."
    )
    files: dict[str, str] = Field(default_factory=dict, description="code/ path -> sha256.")
    named: dict[str, str] = Field(
        default_factory=dict, description="Hashes passed by the pipeline."
    )


class PackageManifest(_Strict):
    """``manifest.json``: what is in the package, where it came from, who signed it."""

    format_version: Literal[1] = 1
    kind: Literal["researchos.package"] = "researchos.package"
    name: str = Field(description="<slug>-v<N>")
    version: int = Field(ge=1)
    created: datetime
    generator: str
    ara: AraInfo
    mock: bool
    mock_reasons: list[str] = Field(default_factory=list)
    model_policy: dict[str, Any] = Field(default_factory=dict)
    routing: list[dict[str, Any]] = Field(default_factory=list)
    code: CodeBlock = Field(default_factory=CodeBlock)
    seeds: list[int] = Field(default_factory=list)
    run_ids: list[str] = Field(default_factory=list)
    runs: list[RunRecord] = Field(default_factory=list)
    claims: list[ClaimSummary] = Field(default_factory=list)
    project: str | None = None
    review: dict[str, Any] = Field(default_factory=dict)
    license: str | None = None
    signer: Signer
    files: list[FileEntry]

    def to_bytes(self) -> bytes:
        """The exact bytes that are signed: sorted keys, two-space indent, UTF-8, newline."""
        data = self.model_dump(mode="json")
        return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def parse_manifest(raw: bytes) -> PackageManifest:
    """Parse manifest bytes from a package; problems name manifest.json and the field."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not valid UTF-8 JSON ({exc})", file=MANIFEST_NAME) from None
    if isinstance(data, dict) and data.get("kind") not in (None, PACKAGE_KIND):
        raise InputError(
            f"kind {data.get('kind')!r} is not a ResearchOS package", file=MANIFEST_NAME
        )
    return model_from_data(PackageManifest, data, display=MANIFEST_NAME)
