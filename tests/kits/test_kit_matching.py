"""Briefs are matched to kits by keywords, deterministically, with a default and clear errors."""

from __future__ import annotations

import pytest

from researchos.errors import InputError
from researchos.kits import match_kits


def names(brief: str) -> list[str]:
    return [kit.name for kit, _ in match_kits(brief)]


@pytest.mark.parametrize(
    ("brief", "best"),
    [
        (
            "Does feature standardisation help k-NN classifiers on the wine dataset?",
            "classifier-comparison",
        ),
        (
            "Which variance reduction technique gives the best Monte Carlo estimate of pi?",
            "monte-carlo",
        ),
        ("Pricing a European option with quasi-Monte Carlo Sobol sequences", "monte-carlo"),
        (
            "How does quicksort's pivot choice change its scaling on sorted inputs?",
            "algorithm-scaling",
        ),
        ("RANDOM FORESTS versus LOGISTIC REGRESSION", "classifier-comparison"),
    ],
)
def test_a_brief_matches_the_kit_that_fits(brief: str, best: str) -> None:
    assert names(brief)[0] == best


def test_scores_rank_kits_and_are_deterministic() -> None:
    brief = "Monte Carlo simulation of sorting algorithm comparisons, with a classifier"
    first = [(kit.name, score) for kit, score in match_kits(brief)]
    assert first == [(kit.name, score) for kit, score in match_kits(brief)]
    scores = [score for _, score in first]
    assert scores == sorted(scores, reverse=True) and all(score > 0 for score in scores)
    assert {name for name, _ in first} == {
        "monte-carlo",
        "algorithm-scaling",
        "classifier-comparison",
    }


def test_plurals_and_phrases_match() -> None:
    kit, score = match_kits("classifiers and nearest neighbours")[0]
    assert kit.name == "classifier-comparison" and score >= 1


def test_a_brief_nothing_matches_gets_the_default_kit() -> None:
    assert [(kit.name, score) for kit, score in match_kits("What is a good life?")] == [
        ("classifier-comparison", 0.0)
    ]


@pytest.mark.parametrize("brief", ["", "   \n\t", "?!? ..."])
def test_an_empty_brief_is_refused(brief: str) -> None:
    with pytest.raises(InputError) as caught:
        match_kits(brief)
    assert caught.value.field == "brief"
    assert "empty" in str(caught.value) and caught.value.fix


def test_an_enormous_brief_is_refused() -> None:
    with pytest.raises(InputError, match="at most 200,000"):
        match_kits("sorting " * 40_000)
