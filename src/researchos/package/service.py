"""``PackageService``: freeze, verify and list packages of one workspace (built by app.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from researchos.artifacts.service import Origin
from researchos.package.digest import ProgressSink
from researchos.package.freeze import FreezeResult, freeze
from researchos.package.signing import KeyStore, PublicKey
from researchos.package.verify import VerificationReport, verify
from researchos.package.versions import PackageInfo, list_packages
from researchos.store import audit
from researchos.store.database import Database
from researchos.workspace.layout import Workspace

log = logging.getLogger(__name__)


class PackageService:
    def __init__(self, workspace: Workspace, database: Database | None, actor: str) -> None:
        self.workspace = workspace
        self.database = database
        self.actor = actor
        self.keys = KeyStore(workspace, actor)

    def freeze(
        self,
        slug: str,
        *,
        extra: Mapping[str, Any] | None = None,
        blockers: Sequence[str] = (),
        origin: Origin | None = None,
        progress: ProgressSink | None = None,
    ) -> FreezeResult:
        """Freeze an ARA into its next signed package version (see package.freeze)."""
        origin = origin or Origin(self.actor)
        result = freeze(
            self.workspace,
            slug,
            keys=self.keys,
            extra=extra,
            blockers=blockers,
            origin=origin,
            progress=progress,
        )
        self._audit(origin.actor, result)
        return result

    def verify(
        self,
        zip_path: Path,
        *,
        trusted_key: str | None = None,
        progress: ProgressSink | None = None,
    ) -> VerificationReport:
        """Verify a package offline and say whether this workspace's key signed it."""
        return verify(
            zip_path,
            trusted_key=trusted_key,
            workspace_key=self.public_key(),
            progress=progress,
        )

    def public_key(self) -> PublicKey | None:
        return self.keys.public_key()

    def list(self, slug: str | None = None) -> list[PackageInfo]:
        return list_packages(self.workspace, slug)

    def _audit(self, actor: str, result: FreezeResult) -> None:
        if self.database is None:
            return
        try:
            with self.database.session() as session:
                audit.record(
                    session,
                    actor=actor,
                    action="package.freeze",
                    target=result.slug,
                    payload=result.to_dict(self.workspace),
                )
        except Exception:  # the package and its commit stand; the audit row is a convenience
            log.exception("audit record for package %s failed", result.name)
