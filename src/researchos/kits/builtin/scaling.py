"""Built-in kit ``algorithm-scaling``: how sorting algorithms scale with input size and order.

Counts comparisons and element writes of instrumented sorts (never wall-clock time, so Seal
L3 reproduces every number exactly) and fits the exponent b of ``comparisons ~ n**b``. Real
effects (a first-element pivot on sorted input is quadratic; insertion sort is linear on nearly
sorted input) and nulls (a random pivot does not care about input order).
"""

from __future__ import annotations

import random
from typing import Any

from researchos.kits.ideas import conditions, excerpt, mentions, order_for_brief
from researchos.kits.matching import check_brief
from researchos.kits.models import IdeaFlag, IdeaSeed
from researchos.kits.program import ProgramKit
from researchos.kits.registry import kit

ALGORITHMS = {
    "quick_first": ("quicksort", "quick sort", "pivot"),
    "quick_random": ("quicksort", "quick sort", "randomized", "randomised", "pivot"),
    "insertion": ("insertion sort", "insertion"),
    "merge": ("merge sort", "mergesort", "merge"),
    "heap": ("heapsort", "heap sort", "heap"),
}
SCHEMA: dict[str, dict[str, Any]] = {
    "algorithm": {"type": "str", "choices": list(ALGORITHMS)},
    "distribution": {
        "type": "str",
        "choices": ["random", "sorted", "reversed", "nearly_sorted", "few_unique"],
        "default": "random",
    },
    "sizes": {
        "type": "int_list",
        "min": 2,
        "max": 200_000,
        "max_len": 12,
        "default": [100, 200, 400, 800],
    },
    "repeats": {"type": "int", "min": 1, "max": 100, "default": 2},
}


def arm(algorithm: str, distribution: str) -> dict[str, Any]:
    return {"algorithm": algorithm, "distribution": distribution}


@kit
class AlgorithmScaling(ProgramKit):
    name = "algorithm-scaling"
    title = "Algorithm scaling by operation counts"
    description = (
        "Insertion sort, merge sort, heapsort and quicksort (first or random pivot) on random, "
        "sorted, reversed, nearly sorted and few-unique inputs of growing size: comparisons, "
        "element writes and the fitted scaling exponent, counted rather than timed."
    )
    keywords = (
        "algorithm",
        "sorting",
        "sort",
        "quicksort",
        "merge sort",
        "mergesort",
        "heapsort",
        "insertion sort",
        "pivot",
        "complexity",
        "scaling",
        "asymptotic",
        "big-o",
        "comparisons",
        "input size",
        "worst case",
        "data structure",
    )
    program = "scaling.py"
    schema = SCHEMA
    metrics = ("scaling_exponent", "comparisons", "writes", "comparisons_per_nlogn")
    requirements = ()
    # integer counts and a least-squares fit on them: a re-run must match to the last digit
    tolerance_absolute = 0.0
    tolerance_relative = 1e-12

    def ideas(self, brief: str, rng: random.Random) -> list[IdeaSeed]:
        brief = check_brief(brief)
        note = f"Brief: “{excerpt(brief)}”."
        seeds = [
            self._pivot_on_sorted(note),
            self._insertion_nearly_sorted(note),
            self._nlogn_comparisons(note),
            self._random_pivot_order(note),
            self._few_unique(note),
            self._duplicate(note),
            self._too_expensive(note),
            self._not_falsifiable(note),
            self._infeasible(note),
            self._low_value(note),
        ]
        mentioned = set(mentions(brief, ALGORITHMS))
        tagged = [_tag_mentioned(idea, mentioned) for idea in seeds]
        return order_for_brief(tagged, brief, rng)

    def _idea(self, idea_id: str, **fields: Any) -> IdeaSeed:
        fields.setdefault("cost_cpu_seconds", 0.3)
        fields.setdefault("direction", "lower")
        fields.setdefault("primary_metric", "scaling_exponent")
        fields.setdefault("secondary_metrics", ("comparisons",))
        return IdeaSeed(id=f"as-{idea_id}", kit=self.name, **fields)

    def _pivot_on_sorted(self, note: str) -> IdeaSeed:
        return self._idea(
            "pivot-sorted",
            title="First-element vs random pivot quicksort on sorted input",
            hypothesis="On already sorted input, quicksort with a first-element pivot scales "
            "quadratically (exponent ≈ 2) while a random pivot stays near n log n.",
            rationale=f"{note} The first element is the worst pivot for sorted data.",
            conditions=conditions(
                {
                    "quick-first-sorted": arm("quick_first", "sorted"),
                    "quick-random-sorted": arm("quick_random", "sorted"),
                }
            ),
            baseline="quick-first-sorted",
            min_effect=0.1,
            tags=("quicksort", "worst-case"),
            novelty_hint=0.2,
        )

    def _insertion_nearly_sorted(self, note: str) -> IdeaSeed:
        return self._idea(
            "insertion-nearly-sorted",
            title="Insertion sort on random vs nearly sorted input",
            hypothesis="Insertion sort scales linearly on nearly sorted input but "
            "quadratically on random input.",
            rationale=f"{note} Its work is proportional to the number of inversions.",
            conditions=conditions(
                {
                    "insertion-random": arm("insertion", "random"),
                    "insertion-nearly-sorted": arm("insertion", "nearly_sorted"),
                }
            ),
            baseline="insertion-random",
            min_effect=0.1,
            tags=("insertion-sort", "adaptive"),
            novelty_hint=0.25,
        )

    def _nlogn_comparisons(self, note: str) -> IdeaSeed:
        return self._idea(
            "nlogn-constants",
            title="Comparison counts of three n log n sorts on random input",
            hypothesis="On random input merge sort needs fewer comparisons than heapsort and "
            "random-pivot quicksort, although all three scale alike.",
            rationale=f"{note} Same exponent, different constants.",
            conditions=conditions(
                {
                    "merge": arm("merge", "random"),
                    "heap": arm("heap", "random"),
                    "quick-random": arm("quick_random", "random"),
                }
            ),
            baseline="merge",
            primary_metric="comparisons",
            secondary_metrics=("scaling_exponent", "comparisons_per_nlogn"),
            min_effect=50.0,
            tags=("merge-sort", "heapsort", "quicksort", "constants"),
            novelty_hint=0.4,
        )

    def _random_pivot_order(self, note: str) -> IdeaSeed:
        return self._idea(
            "random-pivot-order",
            title="Does input order matter to random-pivot quicksort?",
            hypothesis="Random-pivot quicksort scales the same on random, sorted and reversed "
            "input.",
            rationale=f"{note} Randomising the pivot removes the dependence on input order.",
            conditions=conditions(
                {
                    "random": arm("quick_random", "random"),
                    "sorted": arm("quick_random", "sorted"),
                    "reversed": arm("quick_random", "reversed"),
                }
            ),
            baseline="random",
            min_effect=0.1,
            tags=("quicksort", "null-expected"),
            novelty_hint=0.3,
        )

    def _few_unique(self, note: str) -> IdeaSeed:
        return self._idea(
            "few-unique-keys",
            title="Lomuto quicksort on inputs with few distinct keys",
            hypothesis="With only 8 distinct keys, random-pivot Lomuto quicksort needs far more "
            "comparisons than on distinct keys.",
            rationale=f"{note} Lomuto's partition puts every key equal to the pivot on one side.",
            conditions=conditions(
                {
                    "distinct": arm("quick_random", "random"),
                    "few-unique": arm("quick_random", "few_unique"),
                }
            ),
            baseline="distinct",
            primary_metric="comparisons",
            secondary_metrics=("scaling_exponent",),
            min_effect=100.0,
            tags=("quicksort", "duplicates"),
            novelty_hint=0.55,
        )

    def _duplicate(self, note: str) -> IdeaSeed:
        original = self._pivot_on_sorted(note)
        return original.model_copy(
            update={
                "id": "as-pivot-sorted-restated",
                "title": "Quicksort degrades on presorted arrays with a naive pivot",
                "flags": (
                    IdeaFlag(reason="duplicate_of", detail="same two arms", ref=original.id),
                ),
            }
        )

    def _too_expensive(self, note: str) -> IdeaSeed:
        sizes = {"sizes": [16384, 32768, 65536], "repeats": 3}
        return self._idea(
            "insertion-large",
            title="Insertion sort vs merge sort up to 65,536 elements",
            hypothesis="The quadratic exponent of insertion sort holds up to n = 65,536.",
            rationale=f"{note} Larger sizes pin the exponent down.",
            conditions=conditions(
                {
                    "merge": {**arm("merge", "random"), **sizes},
                    "insertion": {**arm("insertion", "random"), **sizes},
                }
            ),
            baseline="merge",
            cost_cpu_seconds=1500.0,
            tags=("insertion-sort", "large-n"),
            flags=(
                IdeaFlag(
                    reason="too_expensive",
                    detail="about 4·10⁹ counted comparisons per insertion-sort run",
                ),
            ),
        )

    def _not_falsifiable(self, note: str) -> IdeaSeed:
        return self._idea(
            "elegance",
            title="Quicksort is the most elegant sorting algorithm",
            hypothesis="Quicksort is more elegant than the alternatives.",
            rationale=f"{note} Elegance is not measured by any count.",
            conditions=conditions({"quick": arm("quick_random", "random")}),
            baseline="quick",
            tags=("vague",),
            novelty_hint=0.05,
            flags=(IdeaFlag(reason="not_falsifiable", detail="no measurable outcome"),),
        )

    def _infeasible(self, note: str) -> IdeaSeed:
        return self._idea(
            "cache-misses",
            title="Cache misses of merge sort vs heapsort",
            hypothesis="Heapsort incurs more cache misses than merge sort at n = 10⁶.",
            rationale=f"{note} Memory locality decides speed on real hardware.",
            conditions=conditions({"merge": arm("merge", "random"), "heap": arm("heap", "random")}),
            baseline="merge",
            primary_metric="cache_misses",
            tags=("hardware",),
            flags=(
                IdeaFlag(
                    reason="infeasible",
                    detail="cache misses cannot be counted from a sandboxed Python program",
                ),
            ),
        )

    def _low_value(self, note: str) -> IdeaSeed:
        return self._idea(
            "reversed-merge",
            title="Merge sort writes on random vs reversed input",
            hypothesis="Bottom-up merge sort writes the same number of elements on random and "
            "reversed input.",
            rationale=f"{note} Its writes do not depend on the data at all.",
            conditions=conditions(
                {"random": arm("merge", "random"), "reversed": arm("merge", "reversed")}
            ),
            baseline="random",
            primary_metric="writes",
            tags=("merge-sort",),
            novelty_hint=0.05,
            flags=(IdeaFlag(reason="low_value", detail="true by construction: nothing to learn"),),
        )


def _tag_mentioned(idea: IdeaSeed, mentioned: set[str]) -> IdeaSeed:
    """Mark ideas whose arms use an algorithm the brief names."""
    used = {str(c.params.get("algorithm")) for c in idea.conditions}
    if used & mentioned:
        return idea.model_copy(update={"tags": (*idea.tags, "named-in-brief")})
    return idea
