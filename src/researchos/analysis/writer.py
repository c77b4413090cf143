"""Put an ``AnalysisResult`` into an ARA through ``AraService``.

One atomic ``analysis.add`` commit holds every file (metrics copies, report, figures) and every
claim, effects before the comparisons that depend on them: an analysis lands whole or not at
all (a crash mid-way is rolled back from the change journal). The commit carries one
``Researchos-Claim`` trailer per claim, so ``researchos log --claim ID`` finds it.

Idempotent: the analysis id is a hash of plan + inputs, so writing the same result again
skips files already present with the same sha256 and claims already present, and commits
nothing when everything is there. Evidence is immutable: a file present with other content is
a Conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from researchos.analysis.result import AnalysisResult
from researchos.artifacts.service import AraService, Origin
from researchos.errors import Conflict, InputError
from researchos.files import safe_relative, sha256_bytes, sha256_file
from researchos.history.git import Git

if TYPE_CHECKING:
    from researchos.app import App


@dataclass(frozen=True)
class WrittenAnalysis:
    analysis_id: str
    claim_ids: list[str]
    added_claims: list[str] = field(default_factory=list)
    written_files: list[str] = field(default_factory=list)
    commit: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "analysis_id": self.analysis_id,
            "claim_ids": self.claim_ids,
            "added_claims": self.added_claims,
            "written_files": self.written_files,
            "commit": self.commit,
        }


def write_analysis(
    target: App | AraService, slug: str, result: AnalysisResult, origin: Origin | None = None
) -> WrittenAnalysis:
    """Add the analysis evidence and claims to ARA ``slug``; returns what was written."""
    service = target if isinstance(target, AraService) else target.aras
    files = _pending_files(service, slug, result)
    present = set(service.get(slug).claims)
    claims = []
    for claim in result.claim_dicts():
        if claim["id"] in present:
            _check_ours(service, slug, claim["id"], result.analysis_id)
        else:
            claims.append(claim)
    commit = None
    if files or claims:
        service.add_claims(
            slug,
            claims,
            files=files,
            event="analysis.add",
            summary=f"add analysis {result.analysis_id}: {len(claims)} claims, "
            f"{len(files)} evidence files",
            origin=origin,
        )
        commit = Git(service.workspace.root).head()
    return WrittenAnalysis(
        analysis_id=result.analysis_id,
        claim_ids=[c["id"] for c in result.claims],
        added_claims=[c["id"] for c in claims],
        written_files=sorted(files),
        commit=commit,
    )


def _pending_files(service: AraService, slug: str, result: AnalysisResult) -> dict[str, bytes]:
    """Files not yet in the ARA; identical ones are skipped, different ones refused."""
    root = service.paths(slug).root
    wanted: dict[str, bytes] = {}
    for loaded in result.table.inputs:
        rel = loaded.input.evidence_path
        if _present(root, rel, loaded.sha256):
            continue
        data = loaded.input.path.read_bytes()
        if sha256_bytes(data) != loaded.sha256:
            raise InputError(
                "metrics file changed after it was analysed",
                file=str(loaded.input.path),
                field="sha256",
                fix="run the analysis again",
            )
        wanted[rel] = data
    for rel, data in result.files.items():
        if not _present(root, rel, sha256_bytes(data)):
            wanted[rel] = data
    return wanted


def _present(root: Path, rel: str, sha: str) -> bool:
    target = safe_relative(root, rel, field="path")
    if not target.is_file():
        return False
    if sha256_file(target) != sha:
        raise Conflict(
            f"ara/{root.name}/{rel} already exists with other content",
            fix="evidence is immutable; analyse into another ARA or remove the stale run",
        )
    return True


def _check_ours(service: AraService, slug: str, claim_id: str, analysis_id: str) -> None:
    if f"analysis:{analysis_id}" not in service.claim(slug, claim_id).sources:
        raise Conflict(
            f"claim {claim_id} already exists in ARA {slug!r} and comes from elsewhere",
            fix="analyse into another ARA",
        )
