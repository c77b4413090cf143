"""Where an adapter's API key comes from: the secret store first, then settings/env.

``available`` answers without decrypting anything (the auto run mode asks it at every
start); ``get`` decrypts once and keeps the value for the life of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Protocol

from researchos.logs import register_secret


class SecretSource(Protocol):
    def has(self, name: str) -> bool: ...

    def get(self, name: str) -> str | None: ...


class KeyRing:
    def __init__(self, secrets: SecretSource | None, fallbacks: Mapping[str, str | None]) -> None:
        self._secrets = secrets
        self._fallbacks = {name: value for name, value in fallbacks.items() if value}
        self._cache: dict[str, str | None] = {}
        self._lock = threading.Lock()
        for value in self._fallbacks.values():
            register_secret(value)

    def source(self, name: str) -> str:
        if self._secrets is not None and self._secrets.has(name):
            return "secret store"
        return "settings" if name in self._fallbacks else "missing"

    def available(self, name: str) -> bool:
        return self.source(name) != "missing"

    def forget(self, name: str) -> None:
        """Drop the cached value, so the next ``get`` reads a replaced key (web console)."""
        with self._lock:
            self._cache.pop(name, None)

    def get(self, name: str) -> str | None:
        """The key, decrypted at most once; a missing key is looked up again next time."""
        with self._lock:
            if self._cache.get(name) is None:
                value = None
                if self._secrets is not None and self._secrets.has(name):
                    value = self._secrets.get(name)
                self._cache[name] = value or self._fallbacks.get(name)
            return self._cache[name]
