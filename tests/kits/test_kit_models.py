"""IdeaSeed, KitSpec and ReviewPatch round-trip through JSON and YAML and refuse bad data."""

from __future__ import annotations

import json
import random

import pytest
import yaml

from researchos.errors import InputError, UnsafeInput
from researchos.kits import IdeaSeed, KitSpec, ReviewPatch, all_kits, get_kit


def every_idea() -> list[IdeaSeed]:
    return [idea for kit in all_kits() for idea in kit.ideas("anything", random.Random(3))]


def a_spec() -> KitSpec:
    kit = get_kit("monte-carlo")
    idea = next(i for i in kit.ideas("pi", random.Random(0)) if i.id == "mc-shootout-pi")
    return kit.spec(idea)


@pytest.mark.parametrize("dump", [json.dumps, yaml.safe_dump], ids=["json", "yaml"])
def test_ideas_and_specs_round_trip(dump) -> None:
    load = json.loads if dump is json.dumps else yaml.safe_load
    for idea in every_idea():
        assert IdeaSeed.from_dict(load(dump(idea.to_dict()))) == idea
    spec = a_spec()
    again = KitSpec.from_dict(load(dump(spec.to_dict())))
    assert again == spec and again.digest() == spec.digest()


def test_a_review_patch_round_trips() -> None:
    spec = a_spec()
    kit = get_kit("monte-carlo")
    patch = kit.review(spec, kit.build(spec))
    assert ReviewPatch.from_dict(json.loads(json.dumps(patch.to_dict()))) == patch


def test_the_digest_changes_with_the_plan() -> None:
    spec = a_spec()
    assert spec.digest() == a_spec().digest()
    fewer = spec.restrict(seeds=(0, 1))
    assert fewer.digest() != spec.digest()


def test_a_spec_names_the_broken_field() -> None:
    data = a_spec().to_dict()
    data["analysis"]["baseline"] = "nope"
    with pytest.raises(InputError) as caught:
        KitSpec.from_dict(data, source="specs/x.yaml")
    assert "specs/x.yaml" in str(caught.value)
    assert "analysis.baseline 'nope' is not in" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["conditions"].append(dict(d["conditions"][0])), "duplicate condition names"),
        (lambda d: d["conditions"][0].update(name="a b;rm -rf"), "conditions.0.name"),
        (lambda d: d.update(seeds=[1, 1]), "duplicate seeds"),
        (lambda d: d.update(seeds=[-1]), "seeds.0"),
        (lambda d: d["analysis"].update(primary_metric="accuracy"), "are not among metrics"),
        (lambda d: d.update(conditions=d["conditions"][:1]), "conditions"),
        (lambda d: d.update(surprise=1), "surprise"),
    ],
)
def test_a_spec_refuses_inconsistent_plans(change, message: str) -> None:
    data = a_spec().to_dict()
    change(data)
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        KitSpec.from_dict(data)


def test_an_idea_baseline_must_be_one_of_its_conditions() -> None:
    data = every_idea()[0].to_dict()
    data["baseline"] = "missing"
    with pytest.raises(InputError, match="baseline 'missing' is not one of the conditions"):
        IdeaSeed.from_dict(data)


def test_a_duplicate_flag_names_its_original() -> None:
    data = every_idea()[0].to_dict()
    data["flags"] = [{"reason": "duplicate_of", "detail": "same"}]
    with pytest.raises(InputError, match="needs ref"):
        IdeaSeed.from_dict(data)


@pytest.mark.parametrize("path", ["../escape.py", "/etc/passwd", "a/../../b", "", "~/x", "a\\b"])
def test_a_review_patch_refuses_unsafe_paths(path: str) -> None:
    with pytest.raises(UnsafeInput):
        ReviewPatch(files={path: "x"})


def test_restricting_a_spec_keeps_the_baseline() -> None:
    spec = a_spec()
    assert spec.restrict(conditions=("plain", "sobol")).condition_names == ("plain", "sobol")
    with pytest.raises(InputError, match="keep the baseline 'plain'"):
        spec.restrict(conditions=("sobol", "control"))


def test_runs_are_every_condition_times_every_seed() -> None:
    spec = a_spec()
    assert len(spec.runs()) == len(spec.conditions) * len(spec.seeds) == 4 * 5
    assert spec.runs()[:2] == [("plain", 0), ("plain", 1)]


def test_a_restricted_spec_is_still_validated() -> None:
    with pytest.raises(InputError, match="conditions"):
        a_spec().restrict(conditions=("plain",))
