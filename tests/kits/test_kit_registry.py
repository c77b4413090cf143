"""Kits are found through the ``researchos.kits`` entry points and the ``@kit`` decorator."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from researchos.errors import ConfigError, Conflict, NotFound
from researchos.kits import ENTRY_POINT_GROUP, Kit, KitRegistry, all_kits, get_kit
from researchos.kits.builtin.scaling import AlgorithmScaling
from researchos.kits.registry import BUILTIN_ENTRY_POINTS

BUILTINS = {"classifier-comparison", "monte-carlo", "algorithm-scaling"}


def test_the_builtins_are_registered_through_entry_points() -> None:
    declared = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert {name: declared[name] for name in BUILTINS} == BUILTIN_ENTRY_POINTS
    assert {kit.name for kit in all_kits()} >= BUILTINS


def test_a_fresh_registry_finds_the_builtins_by_entry_point_alone() -> None:
    registry = KitRegistry()
    assert {kit.name for kit in registry.all()} >= BUILTINS
    assert registry.load_errors == {}


def test_an_unknown_kit_names_the_installed_ones() -> None:
    with pytest.raises(NotFound) as caught:
        get_kit("quantum-chemistry")
    assert "algorithm-scaling, classifier-comparison, monte-carlo" in str(caught.value)


def test_the_same_class_twice_is_one_kit_but_a_name_clash_is_refused() -> None:
    registry = KitRegistry(group="researchos.kits.none")
    first = registry.register(AlgorithmScaling())
    assert registry.register(AlgorithmScaling()) is first

    class Impostor(AlgorithmScaling):
        pass

    with pytest.raises(Conflict, match="two kits are named 'algorithm-scaling'"):
        registry.register(Impostor())


def test_a_kit_missing_its_declarations_is_refused() -> None:
    class NoKeywords(AlgorithmScaling):
        name = "no-keywords"
        keywords = ()

    class Abstract(Kit):
        name = "abstract"
        title = description = "x"
        keywords = ("x",)

    registry = KitRegistry(group="researchos.kits.none")
    with pytest.raises(ConfigError, match="keywords must be a non-empty tuple"):
        registry.register(NoKeywords())
    with pytest.raises(TypeError):  # ABC: cannot even be instantiated
        registry.register(Abstract())  # type: ignore[abstract]


PLUGIN = """
import random
from researchos.kits import kit
from researchos.kits.builtin.scaling import AlgorithmScaling

@kit
class SortingPlus(AlgorithmScaling):
    name = "sorting-plus"
    title = "A third-party kit"
    keywords = ("timsort",)
"""


def make_distribution(site: Path, value: str, module: str, source: str) -> None:
    """A real installed distribution (dist-info + entry_points.txt) in a site directory."""
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = site / f"{module.replace('_', '-')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{value}\n")


DISCOVER = """
import json
from researchos.kits import all_kits, match_kits
from researchos.kits.registry import default_registry
print(json.dumps({
    "kits": [kit.name for kit in all_kits()],
    "match": match_kits("is timsort adaptive?")[0][0].name,
    "errors": default_registry().load_errors,
}))
"""


@pytest.mark.parametrize("target", ["sorting_plus:SortingPlus", "sorting_plus"])
def test_a_third_party_plugin_is_discovered_through_its_entry_point(
    tmp_path: Path, target: str
) -> None:
    make_distribution(tmp_path, f"sorting-plus = {target}", "sorting_plus", PLUGIN)
    make_distribution(tmp_path, "broken = broken_plugin:Nothing", "broken_plugin", "x = 1/0\n")
    process = subprocess.run(
        [sys.executable, "-c", DISCOVER],
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 0, process.stderr
    found = json.loads(process.stdout)
    assert set(found["kits"]) == BUILTINS | {"sorting-plus"}
    assert found["match"] == "sorting-plus"
    assert list(found["errors"]) == ["broken"]
    assert "ZeroDivisionError" in found["errors"]["broken"]
