"""Provider kinds come from the entry-point group ``researchos.providers``.

The built-in adapters are registered there by our own pyproject.toml, exactly like a
third-party plugin would register one (``[project.entry-points."researchos.providers"]``).
"""

from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from researchos.errors import ConfigError
from researchos.providers.base import ProviderFactory

GROUP = "researchos.providers"
BUILTIN_KINDS = ("openai", "anthropic", "openai_compatible", "mock")
log = logging.getLogger(__name__)


@cache
def _entry_points() -> dict[str, EntryPoint]:
    found = {ep.name: ep for ep in entry_points(group=GROUP)}
    missing = [kind for kind in BUILTIN_KINDS if kind not in found]
    if missing:
        raise ConfigError(
            f"the built-in providers {', '.join(missing)} are not registered "
            f"(entry-point group {GROUP})",
            fix="reinstall ResearchOS: pip install -e '.[dev]' (or pip install researchos)",
        )
    return found


@cache
def factory(kind: str) -> ProviderFactory:
    """The adapter factory registered as ``kind``; a ConfigError lists the known kinds."""
    points = _entry_points()
    if kind not in points:
        raise ConfigError(
            f"unknown provider kind {kind!r}; registered kinds: {', '.join(sorted(points))}",
            fix="use a registered kind, or install the plugin that provides it",
        )
    try:
        loaded = points[kind].load()
    except Exception as exc:
        raise ConfigError(
            f"provider plugin {kind!r} ({points[kind].value}) failed to load: {exc}",
            fix="reinstall or remove the plugin",
        ) from None
    log.debug("loaded provider kind %s from %s", kind, points[kind].value)
    return loaded


def kinds() -> list[str]:
    return sorted(_entry_points())


def refresh() -> None:
    """Forget what was loaded (after installing a plugin in this process; tests)."""
    _entry_points.cache_clear()
    factory.cache_clear()
