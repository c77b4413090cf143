"""``system/seal-policy.yaml`` read back into ``SealPolicy`` (defaults when it is missing)."""

from __future__ import annotations

from pydantic import ValidationError

from researchos.errors import InputError
from researchos.files import load_yaml
from researchos.workspace.layout import Workspace
from researchos.workspace.policies import SealPolicy

POLICY_FILE = "system/seal-policy.yaml"


def load_seal_policy(workspace: Workspace) -> SealPolicy:
    path = workspace.root / POLICY_FILE
    if not path.is_file():
        return SealPolicy()
    data = load_yaml(path, display=POLICY_FILE) or {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of settings", file=POLICY_FILE)
    try:
        return SealPolicy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(
            "unknown setting" if first["type"] == "extra_forbidden" else first["msg"],
            file=POLICY_FILE,
            field=".".join(str(part) for part in first["loc"]) or None,
            fix="fix the value or delete the line to use the default (docs/seal.md)",
        ) from None
