"""The secret store: API keys encrypted at rest, never in the database, logs or git.

``SecretStore`` (store.py) keeps one Fernet ciphertext per secret at var/secrets/<ref>.enc
(mode 0600) and metadata plus a masked preview in the database. The Fernet key is derived
once per process (crypto.py) from the master key and a per-installation salt (keyfiles.py).
"""

from researchos.credentials.store import SecretInfo, SecretStore

__all__ = ["SecretInfo", "SecretStore"]
