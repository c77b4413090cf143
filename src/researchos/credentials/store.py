"""``SecretStore``: set, get, list and delete named secrets (API keys).

Values are encrypted with Fernet into var/secrets/<ref>.enc (mode 0600). The database keeps
the name, the file reference and a masked preview (``sk-…a1b2``), never the value. Every
value read or written is registered with the log redaction filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from researchos.credentials.crypto import derive_fernet
from researchos.credentials.keyfiles import (
    MASTER_FILE,
    VERIFIER,
    load_master_key,
    load_salt,
    secure_directory,
)
from researchos.errors import ConfigError, InputError, NotFound
from researchos.files import write_atomic
from researchos.logs import register_secret
from researchos.settings import mask_secret
from researchos.store import audit
from researchos.store.credentials import delete_credential, list_credentials, upsert_credential
from researchos.store.database import Database

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_CHECK = b"researchos-secret-store-v1"
WRONG_KEY_FIX = (
    "set APP_MASTER_KEY to the key the secrets were stored with (or unset it to use "
    f"var/secrets/{MASTER_FILE}); if that key is lost, delete var/secrets/*.enc and store "
    "each secret again with `researchos secrets set NAME`"
)


@dataclass(frozen=True)
class SecretInfo:
    name: str
    preview: str
    created: datetime
    updated: datetime
    file: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "preview": self.preview,
            "created": self.created.isoformat(),
            "updated": self.updated.isoformat(),
            "file": self.file,
        }


class SecretStore:
    def __init__(
        self,
        directory: Path,
        database: Database,
        *,
        master_key: SecretStr | None,
        actor: str,
        locks_dir: Path,
    ) -> None:
        self.directory = directory
        self.database = database
        self.actor = actor
        self._master_key = master_key
        self._locks_dir = locks_dir
        self._fernet: Fernet | None = None

    def _cipher(self) -> Fernet:
        """The Fernet for this store; checks the master key against the verifier once."""
        if self._fernet is None:
            secure_directory(self.directory)
            salt = load_salt(self.directory, self._locks_dir)
            master = load_master_key(self.directory, self._locks_dir, self._master_key)
            fernet = derive_fernet(master, salt)
            verifier = self.directory / VERIFIER
            if verifier.exists():
                self._decrypt(fernet, verifier, VERIFIER)
            else:
                write_atomic(verifier, fernet.encrypt(_CHECK), mode=0o600)
            self._fernet = fernet
        return self._fernet

    def _decrypt(self, fernet: Fernet, path: Path, label: str) -> bytes:
        try:
            return fernet.decrypt(path.read_bytes())
        except InvalidToken:
            raise ConfigError(
                f"the master key cannot decrypt var/secrets/{label}: APP_MASTER_KEY "
                "differs from the key the secrets were stored with",
                fix=WRONG_KEY_FIX,
            ) from None

    def path(self, name: str) -> Path:
        return self.directory / f"{check_name(name)}.enc"

    def has(self, name: str) -> bool:
        """Whether ``name`` is stored; no decryption (cheap enough for every start)."""
        return bool(NAME.match(name)) and (self.directory / f"{name}.enc").is_file()

    def set(self, name: str, value: str) -> SecretInfo:
        path = self.path(name)
        if not value or not value.strip():
            raise InputError("the secret is empty", field="value", fix="give a non-empty value")
        value = value.strip()
        register_secret(value)
        write_atomic(path, self._cipher().encrypt(value.encode("utf-8")), mode=0o600)
        preview = mask_secret(value) or "****"
        with self.database.session() as session:
            row = upsert_credential(
                session, name=name, ref=path.stem, preview=preview, at=datetime.now(UTC)
            )
            audit.record(
                session,
                actor=self.actor,
                action="secret.set",
                target=f"secret:{name}",
                payload={"name": name, "preview": preview},
            )
        return self._info(row)

    def get(self, name: str) -> str | None:
        path = self.path(name)
        if not path.is_file():
            return None
        value = self._decrypt(self._cipher(), path, path.name).decode("utf-8")
        register_secret(value)
        return value

    def list(self) -> list[SecretInfo]:
        with self.database.session() as session:
            rows = list_credentials(session)
        return [self._info(row) for row in rows]

    def delete(self, name: str) -> None:
        path = self.path(name)
        with self.database.session() as session:
            known = delete_credential(session, name=name)
            if not known and not path.exists():
                raise NotFound(f"no secret named {name!r}", fix="see `researchos secrets list`")
            audit.record(
                session,
                actor=self.actor,
                action="secret.delete",
                target=f"secret:{name}",
                payload={"name": name},
            )
        path.unlink(missing_ok=True)

    def _info(self, row: dict[str, Any]) -> SecretInfo:
        return SecretInfo(
            name=row["name"],
            preview=row["preview"],
            created=row["created"],
            updated=row["updated"],
            file=f"var/secrets/{row['ref']}.enc",
        )


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise InputError(
            f"secret name {name!r} must start with a letter and hold only letters, digits "
            "and '_' (at most 64)",
            field="NAME",
            fix="use a name such as OPENAI_API_KEY",
        )
    return name


__all__ = ["SecretInfo", "SecretStore", "check_name"]
