"""The alignment pass: unknown ids are P0, numbers the cited claims do not hold are P1."""

from __future__ import annotations

import pytest

from researchos.artifacts.models import Claim
from researchos.drafts import check_alignment
from researchos.drafts.numbers import find_numbers

ACC = Claim(
    id="C0001",
    statement="Model `svm` reaches mean accuracy 0.912 on `iris`.",
    kind="effect",
    status="supported",
    numbers=[
        {"value": 0.91234, "metric": "accuracy", "ci_low": 0.9013, "ci_high": 0.9227, "n": 10},
        {"value": 12345.6, "metric": "train_samples"},
        {"value": -0.0381, "metric": "diff"},
        {"value": 2.6e-06, "metric": "p"},
    ],
)
PCT = Claim(
    id="C0002",
    statement="Recall is 87.5%.",
    status="supported",
    numbers=[{"value": 87.5, "unit": "%", "metric": "recall"}],
)
GONE = Claim(id="C0003", statement="Old result 0.5.", status="retracted")
CLAIMS = [ACC, PCT, GONE]


def issues(text: str) -> list[tuple[str, str | None]]:
    return [(i.severity, i.number) for i in check_alignment(text, CLAIMS)]


def test_a_number_off_by_two_point_three_percent_is_caught() -> None:
    wrong = round(0.91234 * 1.023, 3)  # 0.933
    assert issues(f"The SVM reaches {wrong} accuracy [claim:C0001].") == [("P1", str(wrong))]
    assert issues("The SVM reaches 93.3% accuracy [claim:C0001].") == [("P1", "93.3%")]
    assert issues("Recall is 89.5% [claim:C0002].") == [("P1", "89.5%")]


@pytest.mark.parametrize(
    "shown",
    [
        "0.912",
        "0.91",
        "0.9",
        "91.2%",
        "91%",
        "91.23 percent",
        "12,346",
        "12,345.6",
        "12.3k",
        "-0.038",
        "−0.0381",
        "0.038",
        "2.6e-06",
        "2.6 × 10^-6",
        "2.6×10⁻⁶",
        "0.90–0.92",
        "0.90 to 0.92",
        "[0.901, 0.923]",
        "n = 10",
        "p < 0.001",
    ],
)
def test_rounded_percent_scientific_and_range_forms_pass(shown: str) -> None:
    assert issues(f"We measured {shown} [claim:C0001].") == []


@pytest.mark.parametrize("shown", ["0.875", "87.5%", "88%", "0.88"])
def test_percent_claims_match_fractions_and_percentages(shown: str) -> None:
    assert issues(f"Recall was {shown} [claim:C0002].") == []


def test_sign_written_explicitly_must_match() -> None:
    assert issues("The difference is +0.038 [claim:C0001].") == [("P1", "+0.038")]


def test_unknown_and_malformed_ids_are_p0_and_retracted_citations_p1() -> None:
    found = check_alignment(
        "Line one.\nSee [claim:C9999] and [claim:C0001, claim:C0002].\n\n"
        "Also [claim:] and [claim:C0003].",
        CLAIMS,
    )
    assert [(i.severity, i.line, i.reason) for i in found] == [
        ("P0", 2, "unknown claim id C9999"),
        ("P0", 4, "malformed claim id ''"),
        ("P1", 4, "cites retracted C0003"),
    ]


@pytest.mark.parametrize(
    "noise",
    [
        "On 2024-05-01 we finished",
        "in 2021 and 1999",
        "on March 3, 2024 and 3 March 2024",
        "at 14:30",
        "see Section 3.2, Figure 4 and Table 2",
        "as in Eq. (7) and §4.1",
        "prior work [12] and [3, 4] and (Smith et al., 2020)",
        "following Jones et al. (2019)",
        "using ResNet50 on CIFAR-10 with GPT-4",
        "with scikit-learn 1.5.2 and `lr=0.003`",
        "from https://example.org/run/42",
        "the 3rd run",
    ],
)
def test_dates_years_references_identifiers_and_code_are_ignored(noise: str) -> None:
    assert issues(f"We got 0.912 accuracy {noise} [claim:C0001].") == []
    assert issues(f"We got 0.95 accuracy {noise} [claim:C0001].") == [("P1", "0.95")]


def test_numbers_inside_claim_ids_and_headings_are_ignored() -> None:
    other = Claim(id="A12ab-e07", statement="Value 3.", status="supported")
    text = "## 4.2 Results\n\nThe value is 3 [claim:A12ab-e07]."
    assert check_alignment(text, [other]) == []


def test_sentence_citations_bind_their_own_numbers() -> None:
    text = "SVM reaches 0.912 [claim:C0001]. Recall reaches 0.912 [claim:C0002]."
    assert issues(text) == [("P1", "0.912")]
    found = check_alignment(text, CLAIMS)[0]
    assert found.text.startswith("Recall reaches") and found.line == 1


def test_uncited_sentences_use_the_paragraph_claims_and_uncited_paragraphs_are_free() -> None:
    text = (
        "We trained 10 models and got 0.912 accuracy. It holds [claim:C0001].\n"
        "A third sentence says 0.7.\n\n"
        "An uncited paragraph may say 0.7 or 42."
    )
    found = check_alignment(text, CLAIMS)
    assert [(i.severity, i.number, i.line) for i in found] == [("P1", "0.7", 2)]


def test_code_blocks_and_list_items_are_separate() -> None:
    text = (
        "- first item 0.912 [claim:C0001]\n"
        "- second item 0.5 has no citation\n\n"
        "```\nresult 0.77 [claim:C9999]\n```\n"
        "| acc | 0.912 | [claim:C0001] |\n| recall | 0.4 | [claim:C0002] |\n"
    )
    assert issues(text) == [("P1", "0.4")]


def test_find_numbers_reports_raw_text_and_bounds() -> None:
    found = list(find_numbers("p ≤ 0.01 and -3 and 1,234"))
    assert [(n.raw, n.bound, n.signed, n.value) for n in found] == [
        ("≤ 0.01", "<=", False, 0.01),
        ("-3", None, True, -3.0),
        ("1,234", None, False, 1234.0),
    ]


def test_confidence_levels_are_checked_only_against_declared_levels() -> None:
    declared = Claim(
        id="C0010",
        statement="Mean 0.5.",
        status="supported",
        conditions={"confidence": 0.95},
        numbers=[{"value": 0.5, "ci_low": 0.4, "ci_high": 0.6}],
    )
    ok = "Mean 0.5 (95% CI 0.4 to 0.6) [claim:C0010]."
    assert check_alignment(ok, [declared]) == []
    wrong = check_alignment("Mean 0.5 (90% CI 0.4 to 0.6) [claim:C0010].", [declared])
    assert [(i.severity, i.number) for i in wrong] == [("P1", "90%")]
    assert issues("Accuracy 0.912 (99% confidence interval 0.90–0.92) [claim:C0001].") == []


def test_a_heading_directly_above_a_paragraph_is_its_own_block() -> None:
    assert issues("## 7.3 Results on 2024-01-02\nAccuracy 0.912 [claim:C0001].\n") == []
    assert issues("# Title 0.5\nAccuracy 0.912 [claim:C0001].\n") == []


def test_a_citation_after_the_full_stop_belongs_to_the_sentence_before() -> None:
    text = "SVM reaches 0.912. [claim:C0001] Recall reaches 87.5%. [claim:C0002]"
    assert issues(text) == []
    swapped = "SVM reaches 87.5%. [claim:C0001] Recall reaches 0.912. [claim:C0002]"
    assert issues(swapped) == [("P1", "87.5%"), ("P1", "0.912")]
