"""Where kits are found: the ``@kit`` decorator and the ``researchos.kits`` entry points.

Built-in kits are registered exactly like third-party ones: ResearchOS's own pyproject.toml
lists them under ``[project.entry-points."researchos.kits"]``. An entry point may name a Kit
subclass (preferred), a Kit instance, or a module whose ``@kit`` decorators register it on
import. A plugin that fails to load is logged and listed in ``load_errors``; it never takes
the other kits down with it.

Stable API for the pipeline: ``get_kit(name)``, ``all_kits()``, ``match_kits(brief)``.
"""

from __future__ import annotations

import logging
import threading
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import TypeVar

from researchos.errors import ConfigError, Conflict, NotFound
from researchos.kits.base import Kit, check_kit_class
from researchos.kits.matching import check_brief, keyword_score, tokens

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "researchos.kits"
DEFAULT_KIT = "classifier-comparison"
# if the installed metadata predates the entry points (an old editable install), the built-ins
# are still loaded, with a warning that names the reinstall command
BUILTIN_ENTRY_POINTS = {
    "classifier-comparison": "researchos.kits.builtin.classifiers:ClassifierComparison",
    "monte-carlo": "researchos.kits.builtin.montecarlo:MonteCarlo",
    "algorithm-scaling": "researchos.kits.builtin.scaling:AlgorithmScaling",
}

K = TypeVar("K", bound=type[Kit])


class KitRegistry:
    """Kits by name. ``discover`` loads the entry points once; ``register`` adds one kit."""

    def __init__(self, group: str = ENTRY_POINT_GROUP) -> None:
        self.group = group
        self.load_errors: dict[str, str] = {}
        self._kits: dict[str, Kit] = {}
        self._discovered = False
        self._lock = threading.RLock()

    def register(self, kit: Kit) -> Kit:
        """Add ``kit``; the same class again is a no-op, another class with its name a Conflict."""
        check_kit_class(type(kit))
        with self._lock:
            existing = self._kits.get(kit.name)
            if existing is not None:
                if type(existing) is type(kit):
                    return existing
                raise Conflict(
                    f"two kits are named {kit.name!r}: {_where(existing)} and {_where(kit)}",
                    fix="rename one of them or uninstall the plugin that clashes",
                )
            self._kits[kit.name] = kit
            return kit

    def discover(self) -> None:
        with self._lock:
            if self._discovered:
                return
            self._discovered = True
            found = {ep.name: ep for ep in entry_points(group=self.group)}
            if self.group == ENTRY_POINT_GROUP:
                self._add_missing_builtins(found)
            for name in sorted(found):
                self._load(found[name])

    def _add_missing_builtins(self, found: dict[str, EntryPoint]) -> None:
        missing = sorted(set(BUILTIN_ENTRY_POINTS) - set(found))
        if missing:
            log.warning(
                "built-in kits %s are missing from the installed entry points; "
                "reinstall with: pip install -e .",
                ", ".join(missing),
            )
        for name in missing:
            found[name] = EntryPoint(name, BUILTIN_ENTRY_POINTS[name], self.group)

    def _load(self, entry: EntryPoint) -> None:
        try:
            loaded = entry.load()
            if isinstance(loaded, Kit):
                self.register(loaded)
            elif isinstance(loaded, type):
                check_kit_class(loaded)
                self.register(loaded())
            elif not isinstance(loaded, ModuleType):
                raise ConfigError(f"{entry.value} is neither a Kit class, a Kit nor a module")
        except Exception as exc:  # a broken plugin must not hide the working ones
            self.load_errors[entry.name] = f"{type(exc).__name__}: {exc}"
            log.error("kit plugin %r (%s) failed to load: %s", entry.name, entry.value, exc)

    def get(self, name: str) -> Kit:
        self.discover()
        try:
            return self._kits[name]
        except KeyError:
            known = ", ".join(sorted(self._kits)) or "none"
            raise NotFound(
                f"no experiment kit named {name!r} (installed: {known})",
                fix="check the name, or install the plugin that provides it",
            ) from None

    def all(self) -> list[Kit]:
        self.discover()
        return [self._kits[name] for name in sorted(self._kits)]

    def match(self, brief: str) -> list[tuple[Kit, float]]:
        """Kits whose keywords occur in the brief, best first; the default kit if none do."""
        words = tokens(check_brief(brief))
        scored = [(kit, keyword_score(words, kit.keywords)) for kit in self.all()]
        matches = sorted((pair for pair in scored if pair[1] > 0), key=lambda p: (-p[1], p[0].name))
        if matches:
            return matches
        default = self._kits.get(DEFAULT_KIT) or (scored[0][0] if scored else None)
        if default is None:
            raise NotFound("no experiment kits are installed", fix="pip install -e .")
        return [(default, 0.0)]


def _where(kit: Kit) -> str:
    return f"{type(kit).__module__}.{type(kit).__qualname__}"


_default = KitRegistry()


def kit(cls: K) -> K:
    """Class decorator: register a Kit subclass (an instance of it) in the default registry."""
    _default.register(cls())
    return cls


def default_registry() -> KitRegistry:
    return _default


def get_kit(name: str) -> Kit:
    return _default.get(name)


def all_kits() -> list[Kit]:
    return _default.all()


def match_kits(brief: str) -> list[tuple[Kit, float]]:
    return _default.match(brief)
