"""Claim statements and falsification texts, generated from templates (never by a model).

Numbers are shown with three significant digits (``format_number``), so the draft alignment
pass can match them back to the claim's stored numbers within rounding. Condition and metric
names are wrapped in backticks: the alignment pass ignores inline code, so a condition called
``lr-0.01`` is never mistaken for a number.
"""

from __future__ import annotations

import math

from researchos.analysis.compare import Cell, ComparisonResult
from researchos.analysis.plan import AnalysisPlan

DIRECTION_WORDS = {"higher_is_better": "higher is better", "lower_is_better": "lower is better"}
TEST_WORDS = {"paired_t": "paired t-test", "welch_t": "Welch t-test"}
EFFECT_WORDS = {"cohen_dz": "Cohen's dz", "cohen_d": "Cohen's d"}


def format_number(value: float, digits: int = 3) -> str:
    """Three significant digits; scientific notation below 0.001 and from one million."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    size = abs(value)
    if size >= 1e6 or size < 1e-3:
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - math.floor(math.log10(size)))
    return f"{value:,.{decimals}f}"


def format_parameter(value: float) -> str:
    """Plan parameters (alpha, confidence, minimum effect) exactly as declared: 0.05, 95."""
    return f"{value:g}"


def signed(value: float) -> str:
    text = format_number(value)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def _level(plan: AnalysisPlan) -> str:
    return f"{format_parameter(round(plan.confidence * 100, 6))}%"


def _unit(cell: Cell) -> str:
    return f" {cell.unit}" if cell.unit else ""


def effect_statement(plan: AnalysisPlan, cell: Cell) -> str:
    where = f"Under condition `{cell.condition}`"
    if cell.mean is None:
        return (
            f"{where}, `{cell.metric}` could not be estimated: all {cell.n_nonfinite} "
            "values were non-finite."
        )
    if cell.ci is None:
        text = (
            f"{where}, `{cell.metric}` is {format_number(cell.mean)}{_unit(cell)} from a "
            "single seed (no confidence interval)."
        )
    else:
        low, high = (format_number(v) for v in cell.ci)
        text = (
            f"{where}, mean `{cell.metric}` is {format_number(cell.mean)}{_unit(cell)} "
            f"({_level(plan)} CI {low} to {high}, n = {cell.n} seeds)."
        )
    if cell.n_nonfinite:
        were = "value was" if cell.n_nonfinite == 1 else "values were"
        text += f" {cell.n_nonfinite} non-finite {were} excluded."
    return text


def hypothesis(result: ComparisonResult) -> str:
    return (
        f"`{result.treatment}` outperforms `{result.baseline}` on `{result.metric}` "
        f"({DIRECTION_WORDS[result.direction]})."
    )


def comparison_statement(
    plan: AnalysisPlan, result: ComparisonResult, cells: dict[tuple[str, str], Cell], family: int
) -> str:
    if result.test is None:
        return f"{hypothesis(result)} Not tested: {result.reason}."
    if result.verdict == "no_significant_difference":
        head = (
            f"`{result.treatment}` and `{result.baseline}` do not differ significantly on "
            f"`{result.metric}` at alpha = {format_parameter(plan.alpha)} (Holm over "
            f"{family} comparison{'s' if family != 1 else ''})."
        )
    else:
        head = hypothesis(result)
    return f"{head} {_measured(plan, result, cells)}{_verdict_note(plan, result)}"


def _measured(
    plan: AnalysisPlan, result: ComparisonResult, cells: dict[tuple[str, str], Cell]
) -> str:
    test = result.test
    assert test is not None and result.p_holm is not None
    t_mean = cells[(result.treatment, result.metric)].mean
    b_mean = cells[(result.baseline, result.metric)].mean
    low, high = (format_number(v) for v in test.diff_ci)
    if test.test == "paired_t":
        sample = f"n = {test.n_treatment} paired seeds"
    else:
        sample = f"n = {test.n_treatment} and {test.n_baseline} seeds"
    if test.effect_size is None:
        effect = f"{EFFECT_WORDS[test.effect_kind]} undefined (zero variance)"
    else:
        effect = f"{EFFECT_WORDS[test.effect_kind]} = {signed(test.effect_size)}"
    return (
        f"Measured: mean {format_number(t_mean or 0.0)} vs {format_number(b_mean or 0.0)}, "
        f"difference {signed(test.diff)} ({_level(plan)} CI {low} to {high}); "
        f"{TEST_WORDS[test.test]}, {sample}, Holm-adjusted p = {format_number(result.p_holm, 2)} "
        f"(raw p = {format_number(test.p_value, 2)}), {effect}."
    )


def _verdict_note(plan: AnalysisPlan, result: ComparisonResult) -> str:
    if result.verdict == "worse":
        return " The difference is significant in the opposite direction."
    if result.verdict == "better_below_min_effect":
        return (
            " The effect is smaller than the pre-registered minimum effect size of "
            f"{format_parameter(plan.min_effect_size)}."
        )
    if result.equivalence == "within_margin":
        return " The confidence interval excludes an effect of the pre-registered minimum size."
    if result.equivalence == "inconclusive":
        return " The data cannot rule out an effect of the pre-registered minimum size."
    return ""


def effect_falsification(cell: Cell) -> str:
    where = f"`{cell.metric}` under `{cell.condition}`"
    if cell.ci is None:
        return f"Further seeds whose mean {where} differs clearly from this value."
    low, high = (format_number(v) for v in cell.ci)
    return f"A re-run with new seeds whose mean {where} falls outside {low} to {high}."


def comparison_falsification(plan: AnalysisPlan, result: ComparisonResult) -> str:
    pair = f"`{result.treatment}` and `{result.baseline}` on `{result.metric}`"
    alpha = format_parameter(plan.alpha)
    if result.test is None:
        return f"Runs with at least two seeds per condition comparing {pair}."
    if result.verdict == "no_significant_difference":
        return (
            f"A re-run with new or more seeds that finds a significant difference between {pair} "
            f"(Holm-adjusted p at most {alpha})."
        )
    return (
        f"A re-run with new seeds comparing {pair} where `{result.treatment}` is not better "
        f"(Holm-adjusted p above {alpha}, or a difference of the opposite sign)."
    )
