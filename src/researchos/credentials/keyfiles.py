"""The master key and the per-installation salt on disk (var/secrets/, mode 0600).

The master key comes from APP_MASTER_KEY (``settings.master_key``) or, when unset, from a
key file generated on first use. The salt is 32 random bytes generated once per
installation. Both are created with O_EXCL under a lock, so two processes starting at the
same moment agree on one key.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from researchos.errors import ConfigError
from researchos.files import write_atomic
from researchos.history.locks import named_lock

SALT_BYTES = 32
MASTER_FILE = "master.key"
SALT_FILE = "salt"
VERIFIER = "_verify.enc"  # not a valid secret name, so it cannot collide with one


def _create_once(path: Path, data: bytes, locks_dir: Path) -> bytes:
    with named_lock(locks_dir, "secrets"):
        if not path.exists():
            write_atomic(path, data, mode=0o600)
    return path.read_bytes()


def load_salt(directory: Path, locks_dir: Path) -> bytes:
    path = directory / SALT_FILE
    salt = (
        path.read_bytes()
        if path.exists()
        else _create_once(path, secrets.token_bytes(SALT_BYTES), locks_dir)
    )
    if len(salt) != SALT_BYTES:
        raise ConfigError(
            f"var/secrets/{SALT_FILE} is damaged ({len(salt)} bytes, expected {SALT_BYTES})",
            fix="restore it from a backup; without it the stored secrets cannot be decrypted",
        )
    return salt


def load_master_key(directory: Path, locks_dir: Path, configured: SecretStr | None) -> bytes:
    """APP_MASTER_KEY when set; otherwise the key file, generated when there is none yet."""
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode("utf-8")
    path = directory / MASTER_FILE
    if path.exists():
        return path.read_bytes().strip()
    if (directory / VERIFIER).exists():
        raise ConfigError(
            f"var/secrets/{MASTER_FILE} is missing and APP_MASTER_KEY is not set, but secrets "
            "were stored with a master key",
            fix="set APP_MASTER_KEY to the key the secrets were stored with, or restore "
            f"var/secrets/{MASTER_FILE}",
        )
    generated = base64.urlsafe_b64encode(secrets.token_bytes(32))
    return _create_once(path, generated, locks_dir).strip()


def secure_directory(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
