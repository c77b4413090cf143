"""Each kit proposes concrete ideas for a brief, including flagged ones a funnel can reject."""

from __future__ import annotations

import random

import pytest

from researchos.errors import InputError
from researchos.kits import all_kits, get_kit

KITS = ["classifier-comparison", "monte-carlo", "algorithm-scaling"]
BRIEF = "How much do simple methods differ, and when does a trick not help at all?"


@pytest.mark.parametrize("name", KITS)
def test_ideas_are_deterministic_given_the_rng(name: str) -> None:
    kit = get_kit(name)
    first = kit.ideas(BRIEF, random.Random(7))
    assert first == kit.ideas(BRIEF, random.Random(7))
    assert len(first) >= 8 and len({idea.id for idea in first}) == len(first)
    assert all(idea.kit == name for idea in first)


@pytest.mark.parametrize("name", KITS)
def test_weak_ideas_carry_machine_readable_flags(name: str) -> None:
    ideas = get_kit(name).ideas(BRIEF, random.Random(0))
    reasons = {flag.reason for idea in ideas for flag in idea.flags}
    assert {
        "too_expensive",
        "duplicate_of",
        "not_falsifiable",
        "infeasible",
        "low_value",
    } <= reasons
    ids = {idea.id for idea in ideas}
    for idea in ideas:
        for flag in idea.flags:
            if flag.reason == "duplicate_of":
                original = next(i for i in ideas if i.id == flag.ref)
                assert original.conditions == idea.conditions and not original.flags
            if flag.reason == "too_expensive":
                assert idea.cost_cpu_seconds >= 60
    assert sum(not idea.flags for idea in ideas) >= 4, ids


@pytest.mark.parametrize("name", KITS)
def test_every_runnable_idea_becomes_a_spec_and_clean_code(name: str) -> None:
    kit = get_kit(name)
    for idea in kit.ideas(BRIEF, random.Random(0)):
        if {"not_falsifiable", "infeasible"} & set(idea.flag_reasons()):
            with pytest.raises(InputError, match="is flagged"):
                kit.spec(idea)
            continue
        spec = kit.spec(idea)
        assert spec.seeds == (0, 1, 2, 3, 4) and len(spec.conditions) >= 2
        assert spec.analysis.primary_metric == idea.primary_metric
        assert spec.budget_cpu_seconds >= idea.cost_cpu_seconds * len(spec.runs())
        files = kit.build(spec)
        assert "main.py" in files and "experiment.json" in files
        patch = kit.review(spec, files)
        assert patch.blocking == (), (idea.id, patch.notes)


def test_the_brief_steers_the_ideas() -> None:
    classifiers = get_kit("classifier-comparison").ideas(
        "Is k-NN on the digits data sensitive to scaling?", random.Random(0)
    )
    assert "digits" in classifiers[0].id
    options = get_kit("monte-carlo").ideas("Black-Scholes option pricing", random.Random(0))
    assert options[0].parameters["problem"] == "call_option"
    sorting = get_kit("algorithm-scaling").ideas(
        "insertion sort on nearly sorted data", random.Random(0)
    )
    assert sorting[0].id == "as-insertion-nearly-sorted"
    assert "named-in-brief" in sorting[0].tags


def test_an_idea_for_another_kit_is_refused() -> None:
    idea = get_kit("monte-carlo").ideas(BRIEF, random.Random(0))[0]
    with pytest.raises(InputError, match="belongs to kit 'monte-carlo'"):
        get_kit("algorithm-scaling").spec(idea)


def test_parameters_outside_the_schema_are_refused_at_spec_time() -> None:
    kit = get_kit("classifier-comparison")
    idea = next(i for i in kit.ideas(BRIEF, random.Random(0)) if not i.flags)
    bad = idea.model_copy(update={"parameters": {"dataset": "wine", "folds": 1}})
    with pytest.raises(InputError) as caught:
        kit.spec(bad)
    assert "parameter 'folds' = 1 is outside [2, 10]" in str(caught.value)
    assert caught.value.field and caught.value.field.startswith("conditions.")


def test_every_kit_describes_itself() -> None:
    for kit in all_kits():
        described = kit.describe()
        assert described["name"] == kit.name and described["keywords"]
        assert len(kit.description) > 40


@pytest.mark.parametrize("name", KITS)
def test_an_empty_brief_gets_no_ideas(name: str) -> None:
    with pytest.raises(InputError, match="the research brief is empty"):
        get_kit(name).ideas("  ", random.Random(0))
