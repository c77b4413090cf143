"""Key derivation: PBKDF2-HMAC-SHA256, 240,000 iterations, once per process.

A derivation costs tens of milliseconds by design, so the derived Fernet is cached for the
life of the process, keyed by a digest of (master key, salt) rather than the key itself.
"""

from __future__ import annotations

import base64
import hashlib
import threading

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

ITERATIONS = 240_000
_derived: dict[bytes, Fernet] = {}
_lock = threading.Lock()
derivations = 0  # how many PBKDF2 runs this process did (tests check "once per process")


def derive_fernet(master: bytes, salt: bytes) -> Fernet:
    global derivations
    slot = hashlib.sha256(hashlib.sha256(master).digest() + salt).digest()
    with _lock:
        fernet = _derived.get(slot)
        if fernet is None:
            kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=ITERATIONS)
            fernet = Fernet(base64.urlsafe_b64encode(kdf.derive(master)))
            _derived[slot] = fernet
            derivations += 1
    return fernet
