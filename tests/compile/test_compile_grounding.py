"""The grounding check against a model that makes things up, and the text normal form."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import paperfactory
import pytest
from ara_reading import normal, span_text, structure_of

from researchos.compile import mock as compile_mock
from researchos.compile.proposals import ClaimProposals
from researchos.compile.text import normalize, sentence_spans
from researchos.providers.mock import responders

Answer = Callable[..., ClaimProposals]


@pytest.fixture
def model_answers() -> Iterator[Callable[[list[dict]], None]]:
    """Replace the mock's compilation answer with fixed proposals for one test."""
    responders.find_responder("compilation")

    def install(claims: list[dict]) -> None:
        responders.unregister("compilation")

        @responders.mock_responder("compilation")
        def fixed(request, rng):
            return ClaimProposals.model_validate({"claims": claims})

    yield install
    responders.unregister("compilation")
    responders.mock_responder("compilation")(compile_mock.compilation)


def _proposal(passage: str, quote: str, statement: str | None = None, numbers=()) -> dict:
    return {
        "passage": passage,
        "quote": quote,
        "statement": statement or quote,
        "kind": "comparison",
        "conditions": [{"key": "dataset", "value": "CIFAR-10"}],
        "numbers": [
            {"value": v, "text": t, "unit": u, "metric": "accuracy"} for v, t, u in numbers
        ],
    }


def test_ungrounded_proposals_are_rejected_and_counted(
    app, sample_pdf, compile_into, model_answers
):
    path, _ = sample_pdf
    accuracy = paperfactory.CLAIM_ACCURACY
    both = accuracy + " " + paperfactory.CLAIM_LATENCY
    model_answers(
        [
            _proposal("p2.s3", accuracy, numbers=[(93.2, "93.2%", "%"), (0.932, "93.2%", None)]),
            _proposal("p9.s9", "Our model reaches 99.9% accuracy on ImageNet."),
            _proposal("p2.s3", accuracy, "Our model achieves 95.0% on CIFAR-10."),
            _proposal("p2.s3", accuracy, numbers=[(97.0, "97%", "%")]),
            _proposal("p2.s3", accuracy),  # the same claim again
            _proposal("p1.s1", both, "Gradient noise helps: 93.2% accuracy, 12.5 minutes saved."),
            _proposal("p3.s1", "Deep residual learning for image recognition."),  # a reference
            _proposal("p2.s3", "   "),
        ]
    )
    result = compile_into(path)
    reasons = [r["reason"] for r in result.rejected]
    assert result.proposed == 8 and len(result.claims) == 2
    assert reasons == [
        "quote not found in the paper",
        "numbers not in the quoted passage: 95.0%",
        "numbers not in the quoted passage: 97%",
        "duplicate",
        "quote not found in the paper",
        "empty quote or statement",
    ]
    tally = structure_of(app, result.slug)["claims"]
    assert tally["proposed"] == 8 and tally["accepted"] == 2 and len(tally["rejected"]) == 6
    notes = (app.aras.paths(result.slug).root / "views/review-notes.md").read_text()
    assert "6 proposals rejected" in notes and "rejected `p9.s9`: quote not found" in notes
    first, spanning = app.aras.claims(result.slug)
    assert first.conditions == {"dataset": "CIFAR-10"} and len(first.numbers) == 2
    # a quote over two passages, named with the wrong passage id, is found where it is
    text = spanning.evidence[1]
    assert normal(span_text(app, result.slug, text.path, text.locator)) == normal(both)
    assert spanning.evidence[0].locator.startswith("page=2;bbox=")


def test_a_model_that_proposes_nothing_gives_an_ara_without_claims(
    app, sample_pdf, compile_into, model_answers
):
    model_answers([])
    result = compile_into(sample_pdf[0])
    assert result.claims == [] and app.aras.get(result.slug).claims == []
    assert structure_of(app, result.slug)["sections"]


def test_normal_form_joins_hyphenated_lines_and_ligatures():
    assert normalize("outper-\nforms  the\n base\ufb01ne") == "outperforms the basefine"
    assert normalize("state-of-the-art") == "state-of-the-art"
    assert normalize("soft\u00adhyphen") == "softhyphen"


def test_sentences_keep_abbreviations_decimals_and_units_together():
    text = (
        "As shown in Fig. 2, accuracy is 93.2% (J. Smith et al. agree). "
        "The cavity was cooled to 2K. Then the sensitivity was 120 Hz/V. It held."
    )
    spans = [text[a:b] for a, b in sentence_spans(text)]
    assert spans == [
        "As shown in Fig. 2, accuracy is 93.2% (J. Smith et al. agree).",
        "The cavity was cooled to 2K.",
        "Then the sensitivity was 120 Hz/V.",
        "It held.",
    ]
