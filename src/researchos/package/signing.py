"""The per-installation Ed25519 signing key and detached signatures over manifest bytes.

The private key lives in ``var/keys/signing.ed25519`` (PKCS#8 PEM, mode 0600, never in git,
logs or packages). It is generated on first use; its public half is committed to the
workspace as ``system/signing-key.pub`` (SubjectPublicKeyInfo PEM, readable by OpenSSL) and
embedded in every package. A key's fingerprint is the first 32 hex characters of the sha256
of the raw 32-byte public key; ``--trusted-key`` accepts that or the full 64-hex key.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from researchos.errors import InputError, PermissionDenied, WorkspaceError
from researchos.files import write_atomic
from researchos.history.changes import content_change
from researchos.history.commits import ChangeMeta
from researchos.history.locks import named_lock
from researchos.logs import register_secret
from researchos.workspace.layout import Workspace

log = logging.getLogger(__name__)
PRIVATE_KEY_FILE = Path("var/keys/signing.ed25519")
PUBLIC_KEY_FILE = Path("system/signing-key.pub")
SIGNATURE_BYTES = 64
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def fingerprint(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:32]


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key with the forms people compare and tools read."""

    raw: bytes

    @property
    def hex(self) -> str:
        return self.raw.hex()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    def pem(self) -> bytes:
        key = Ed25519PublicKey.from_public_bytes(self.raw)
        return key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def verifies(self, signature: bytes, data: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def matches(self, trusted: str) -> bool:
        """Does this key match a trusted key given as 64-hex key or 32-hex fingerprint?"""
        value = normalise_trusted_key(trusted)
        return value == (self.hex if len(value) == 64 else self.fingerprint)


def normalise_trusted_key(value: str) -> str:
    text = value.strip().lower().removeprefix("ed25519:")
    if len(text) not in (32, 64) or not _HEX.match(text):
        raise InputError(
            "a trusted key is 64 hex characters (public key) or 32 (fingerprint)",
            field="--trusted-key",
            fix="copy it from `researchos package key` on the signer's machine",
        )
    return text


def public_key_from_pem(data: bytes, *, display: str) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InputError("is not a PEM public key", file=display) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("is not an Ed25519 public key", file=display)
    return PublicKey(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


@dataclass(frozen=True)
class SigningKey:
    """The private key, held only in memory after it is loaded; signs manifest bytes."""

    _private: Ed25519PrivateKey

    @property
    def public(self) -> PublicKey:
        raw = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return PublicKey(raw)

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def __repr__(self) -> str:  # never print key material, even in a traceback's locals
        return f"SigningKey(fingerprint={self.public.fingerprint})"


class KeyStore:
    """Loads or creates the workspace's signing key; commits its public half."""

    def __init__(self, workspace: Workspace, actor: str) -> None:
        self.workspace = workspace
        self.actor = actor

    @property
    def private_path(self) -> Path:
        return self.workspace.root / PRIVATE_KEY_FILE

    @property
    def public_path(self) -> Path:
        return self.workspace.root / PUBLIC_KEY_FILE

    def public_key(self) -> PublicKey | None:
        """The committed public key, or None before the first freeze. Never creates a key."""
        if not self.public_path.is_file():
            return None
        return public_key_from_pem(self.public_path.read_bytes(), display=str(PUBLIC_KEY_FILE))

    def load_or_create(self) -> SigningKey:
        with named_lock(self.workspace.locks_dir, "signing-key"):
            key = self._load() if self.private_path.exists() else self._create()
            self._publish(key.public)
            return key

    def _load(self) -> SigningKey:
        mode = stat.S_IMODE(self.private_path.stat().st_mode)
        if mode & 0o077:
            raise PermissionDenied(
                f"{PRIVATE_KEY_FILE} is readable by others (mode {mode:o})",
                fix=f"chmod 600 {PRIVATE_KEY_FILE}",
            )
        pem = self.private_path.read_bytes()
        _register(pem)
        try:
            private = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError):
            raise WorkspaceError(
                f"{PRIVATE_KEY_FILE} is not a readable Ed25519 private key",
                fix=f"move it away; a new key is made on the next freeze ({PUBLIC_KEY_FILE} "
                "changes, so tell the people who trust the old key)",
            ) from None
        if not isinstance(private, Ed25519PrivateKey):
            raise WorkspaceError(f"{PRIVATE_KEY_FILE} is not an Ed25519 key")
        return SigningKey(private)

    def _create(self) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _register(pem)
        self.private_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.private_path.parent, 0o700)
        write_atomic(self.private_path, pem, mode=0o600)
        key = SigningKey(private)
        log.info("created signing key %s", key.public.fingerprint)
        return key

    def _publish(self, public: PublicKey) -> None:
        """Commit system/signing-key.pub when it is missing or names another key."""
        try:
            current = self.public_key()
        except InputError:
            current = None  # unreadable: rewrite it from the private key
        if current == public:
            return
        if current is None:
            summary = f"signing key {public.fingerprint}"
        else:
            log.warning(
                "signing key changed from %s to %s (private key replaced)",
                current.fingerprint,
                public.fingerprint,
            )
            summary = f"replace signing key {current.fingerprint} with {public.fingerprint}"
        meta = ChangeMeta(
            event="package.key",
            scope="workspace",
            summary=summary,
            actor=self.actor,
            extra={"Key-Fingerprint": public.fingerprint},
        )
        with content_change(self.workspace.root, self.workspace.var_dir, meta) as change:
            change.write_bytes(self.public_path, public.pem())


def _register(pem: bytes) -> None:
    """Make the key's PEM text and its base64 body unprintable in logs."""
    text = pem.decode("ascii", "replace")
    register_secret(text)
    for line in text.splitlines():
        if line and not line.startswith("-----"):
            register_secret(line)
