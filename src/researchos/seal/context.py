"""What a seal check sees: the ARA's paths, its parsed files, the policy and the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from researchos.artifacts.models import AraManifest, Claim
from researchos.artifacts.reader import AraPaths, claim_file_ids, load_claim, load_manifest
from researchos.artifacts.validate import ValidationReport, validate_ara
from researchos.errors import InputError
from researchos.workspace.policies import SealPolicy

if TYPE_CHECKING:
    from researchos.app import App


@dataclass
class SealContext:
    """One seal run over one ARA. ``details`` carries what checks hand to later ones."""

    app: App
    slug: str
    paths: AraPaths
    policy: SealPolicy
    details: dict[str, Any] = field(default_factory=dict)
    _validation: ValidationReport | None = None
    _claims: dict[str, Claim] | None = None

    @property
    def workspace_root(self) -> str:
        return str(self.app.workspace.root)

    def display(self, relative: str) -> str:
        """``ara/<slug>/<relative>`` for findings."""
        return f"ara/{self.slug}/{relative}"

    @property
    def manifest(self) -> AraManifest:
        return load_manifest(self.paths)

    @property
    def validation(self) -> ValidationReport:
        """Schema and cross-reference validation, run once per seal."""
        if self._validation is None:
            self._validation = validate_ara(self.paths.root)
        return self._validation

    @property
    def claims(self) -> dict[str, Claim]:
        """Every claim that parses, by id (from the validation pass when it ran)."""
        if self._claims is None:
            if self._validation is not None:
                self._claims = dict(self._validation.loaded_claims)
            else:
                self._claims = {}
                for claim_id in claim_file_ids(self.paths):
                    try:
                        self._claims[claim_id] = load_claim(self.paths, claim_id)
                    except InputError:
                        continue  # L1 reports it
        return self._claims

    def refresh_claims(self) -> None:
        """Forget parsed claims (after a promotion rewrote some)."""
        self._claims = None
        self._validation = None
