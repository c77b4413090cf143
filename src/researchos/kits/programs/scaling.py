"""Algorithm scaling: instrumented sorting algorithms over input sizes and distributions.

Built by the ResearchOS kit ``algorithm-scaling``. Counts key comparisons and element writes
(never wall-clock time, so a re-run reproduces every number exactly) and fits the scaling
exponent b of ``comparisons ~ a * n**b`` by least squares on log-log axes. Deterministic given
the seed. Writes ``metrics.jsonl`` and ``sizes.csv`` into RESEARCHOS_OUTPUT_DIR.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # the code dir may be read-only: write only to the output dir

import math  # noqa: E402
import random  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import contract  # noqa: E402

HERE = Path(__file__).resolve().parent


class Counted:
    """A list whose comparisons and writes are counted by the algorithms that use it."""

    def __init__(self, items: list[int]) -> None:
        self.items = items
        self.comparisons = 0
        self.writes = 0

    def less(self, a: int, b: int) -> bool:
        self.comparisons += 1
        return a < b

    def swap(self, i: int, j: int) -> None:
        if i == j:  # a self-swap moves nothing; counting it would inflate "writes"
            return
        self.writes += 2
        self.items[i], self.items[j] = self.items[j], self.items[i]


def insertion_sort(data: Counted, rng: random.Random) -> None:
    a = data.items
    for i in range(1, len(a)):
        key, j = a[i], i - 1
        while j >= 0 and data.less(key, a[j]):
            a[j + 1] = a[j]
            data.writes += 1
            j -= 1
        a[j + 1] = key
        data.writes += 1


def merge_sort(data: Counted, rng: random.Random) -> None:
    a, width = data.items, 1
    while width < len(a):  # bottom-up: no recursion, same comparisons as top-down on 2^k sizes
        for lo in range(0, len(a), 2 * width):
            mid, hi = min(lo + width, len(a)), min(lo + 2 * width, len(a))
            left, right, i, j, k = a[lo:mid], a[mid:hi], 0, 0, lo
            while i < len(left) and j < len(right):
                if data.less(right[j], left[i]):
                    a[k], j = right[j], j + 1
                else:
                    a[k], i = left[i], i + 1
                k += 1
            rest = left[i:] + right[j:]
            a[k:hi] = rest
            data.writes += (k - lo) + len(rest)
        width *= 2


def heap_sort(data: Counted, rng: random.Random) -> None:
    a = data.items

    def sift_down(root: int, end: int) -> None:
        while (child := 2 * root + 1) < end:
            if child + 1 < end and data.less(a[child], a[child + 1]):
                child += 1
            if not data.less(a[root], a[child]):
                return
            data.swap(root, child)
            root = child

    for start in range(len(a) // 2 - 1, -1, -1):
        sift_down(start, len(a))
    for end in range(len(a) - 1, 0, -1):
        data.swap(0, end)
        sift_down(0, end)


def _quick_sort(data: Counted, rng: random.Random, random_pivot: bool) -> None:
    """Lomuto partition with an explicit stack (a sorted input would overflow recursion)."""
    a, stack = data.items, [(0, len(data.items) - 1)]
    while stack:
        lo, hi = stack.pop()
        if lo >= hi:
            continue
        if random_pivot:
            data.swap(lo, rng.randint(lo, hi))
        pivot, store = a[lo], lo
        for i in range(lo + 1, hi + 1):
            if data.less(a[i], pivot):
                store += 1
                data.swap(store, i)
        data.swap(lo, store)
        stack.extend([(lo, store - 1), (store + 1, hi)])


def quick_first(data: Counted, rng: random.Random) -> None:
    _quick_sort(data, rng, random_pivot=False)


def quick_random(data: Counted, rng: random.Random) -> None:
    _quick_sort(data, rng, random_pivot=True)


ALGORITHMS: dict[str, Callable[[Counted, random.Random], None]] = {
    "insertion": insertion_sort,
    "merge": merge_sort,
    "heap": heap_sort,
    "quick_first": quick_first,
    "quick_random": quick_random,
}


def make_input(distribution: str, n: int, rng: random.Random) -> list[int]:
    if distribution == "sorted":
        return list(range(n))
    if distribution == "reversed":
        return list(range(n, 0, -1))
    if distribution == "few_unique":
        return [rng.randrange(8) for _ in range(n)]
    items = list(range(n))
    if distribution == "nearly_sorted":  # n/20 swaps of neighbours at most 8 apart
        for _ in range(max(1, n // 20)):
            i = rng.randrange(n)
            j = min(n - 1, i + rng.randint(1, 8))
            items[i], items[j] = items[j], items[i]
        return items
    rng.shuffle(items)
    return items


def fit_exponent(sizes: list[int], counts: list[float]) -> float:
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(c, 1.0)) for c in counts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def measure(params: dict, n: int, rng: random.Random) -> tuple[float, float]:
    comparisons = writes = 0
    for _ in range(params["repeats"]):
        data = Counted(make_input(params["distribution"], n, rng))
        ALGORITHMS[params["algorithm"]](data, rng)
        if data.items != sorted(data.items):
            raise AssertionError(f"{params['algorithm']} did not sort an input of size {n}")
        comparisons, writes = comparisons + data.comparisons, writes + data.writes
    return comparisons / params["repeats"], writes / params["repeats"]


def experiment(run: contract.Run) -> dict[str, float]:
    params, sizes = run.params, sorted(set(run.params["sizes"]))
    if len(sizes) < 2:
        raise contract.ContractError("parameter 'sizes' needs at least two distinct sizes")
    rng = random.Random(run.seed)
    rows = [[n, *measure(params, n, rng)] for n in sizes]
    contract.write_csv(run, "sizes.csv", ["n", "comparisons", "writes"], rows)
    largest, comparisons, writes = rows[-1]
    return {
        "comparisons": comparisons,
        "writes": writes,
        "scaling_exponent": fit_exponent(sizes, [row[1] for row in rows]),
        "comparisons_per_nlogn": comparisons / (largest * math.log2(largest)),
    }


if __name__ == "__main__":
    sys.exit(contract.main(experiment, HERE))
