"""The kit plugin seam: what every experiment kit, built-in or third-party, provides.

A kit turns a research brief into runnable experiments in four steps the pipeline calls in
order: ``ideas`` (candidate ideas for the brief), ``spec`` (an executable plan for one idea),
``build`` (the experiment's files under code/src/) and ``review`` (an independent pass that
adds tests and patches). ``reproduce_script`` and ``environment_lock`` write the two files
next to code/src/ that make the result reproducible. Kits register with ``@kit`` or through
the ``researchos.kits`` entry-point group (see researchos.kits.registry and docs/kits.md).
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from researchos.errors import ConfigError
from researchos.kits.environment import environment_lock
from researchos.kits.models import IdeaSeed, KitSpec, ReviewPatch
from researchos.kits.reproduce import reproduce_script
from researchos.kits.review import review_experiment

KIT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class Kit(ABC):
    """An experiment kit. Subclass it, set the four class attributes, implement three methods."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    keywords: ClassVar[tuple[str, ...]]

    @abstractmethod
    def ideas(self, brief: str, rng: random.Random) -> list[IdeaSeed]:
        """Concrete, testable candidate ideas for ``brief``; deterministic given ``rng``."""

    @abstractmethod
    def spec(self, idea: IdeaSeed) -> KitSpec:
        """The executable plan for ``idea``; raises InputError when the idea cannot run."""

    @abstractmethod
    def build(self, spec: KitSpec) -> dict[str, str]:
        """The experiment's files, keyed by paths relative to code/src/ (``main.py`` first)."""

    def review(self, spec: KitSpec, files: Mapping[str, str]) -> ReviewPatch:
        """The reviewer pass; the default is the generic reviewer of researchos.kits.review."""
        return review_experiment(spec, files)

    def reproduce_script(self, spec: KitSpec) -> str:
        """Text of code/reproduce.sh (write it executable)."""
        return reproduce_script(spec)

    def environment_lock(self, files: Mapping[str, str]) -> str:
        """Text of code/environment.lock for the packages ``files`` import."""
        return environment_lock(files)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "keywords": list(self.keywords),
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
        }


def check_kit_class(cls: type) -> None:
    """Refuse a kit class that could not work, naming the class and the attribute to fix."""
    where = f"{cls.__module__}.{cls.__qualname__}"
    if not (isinstance(cls, type) and issubclass(cls, Kit)):
        raise ConfigError(f"{where} is not a subclass of researchos.kits.Kit")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not KIT_NAME.match(name):
        raise ConfigError(
            f"{where}.name must be lowercase letters, digits and '-', got {name!r}",
            fix="set name = 'my-kit' on the class",
        )
    for attribute in ("title", "description"):
        if not isinstance(getattr(cls, attribute, None), str):
            raise ConfigError(f"{where}.{attribute} must be a string")
    keywords = getattr(cls, "keywords", None)
    if (
        not isinstance(keywords, tuple)
        or not keywords
        or not all(isinstance(word, str) and word.strip() for word in keywords)
    ):
        raise ConfigError(f"{where}.keywords must be a non-empty tuple of words")
    abstract = sorted(getattr(cls, "__abstractmethods__", ()))
    if abstract:
        raise ConfigError(f"{where} does not implement {', '.join(abstract)}")
