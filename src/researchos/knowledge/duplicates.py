"""Near-duplicate pages: MinHash over word 3-shingles, with LSH banding to find candidates.

Each page's title and body become a set of word 3-shingles; 128 MinHash permutations estimate
the Jaccard similarity of two sets. Up to 2,000 pages every pair is compared; beyond, candidate
pairs share one of 32 bands of 4 rows (pairs above ~0.42 Jaccard collide with high
probability). A pair is reported when its estimate reaches the threshold; docs/knowledge.md
records how the default threshold was measured.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

NUM_PERM = 128
BANDS = 32
SHINGLE = 3
DEFAULT_THRESHOLD = 0.5
ALL_PAIRS_UP_TO = 2000  # below this every pair is compared: no LSH misses
_PRIME = (1 << 31) - 1
_rng = np.random.default_rng(20261124)
_A = _rng.integers(1, _PRIME, size=NUM_PERM, dtype=np.int64)
_B = _rng.integers(0, _PRIME, size=NUM_PERM, dtype=np.int64)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class DuplicatePair:
    first: str
    second: str
    similarity: float

    def to_dict(self) -> dict[str, object]:
        return {"first": self.first, "second": self.second, "similarity": round(self.similarity, 3)}


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _hash32(item: str) -> int:
    return int.from_bytes(hashlib.blake2b(item.encode("utf-8"), digest_size=4).digest(), "big")


def signature(text: str) -> np.ndarray:
    """128 MinHash values of the text's shingles (all max for an empty text)."""
    items = shingles(text)
    if not items:
        return np.full(NUM_PERM, _PRIME, dtype=np.int64)
    hashes = np.fromiter((_hash32(s) for s in items), dtype=np.int64, count=len(items))
    return ((_A[:, None] * hashes[None, :] + _B[:, None]) % _PRIME).min(axis=1)


def estimate(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.mean(first == second))


def jaccard(first: str, second: str) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (for measuring the estimate)."""
    a, b = shingles(first), shingles(second)
    return len(a & b) / len(a | b) if a | b else 0.0


def _candidates(signatures: Sequence[np.ndarray]) -> Iterable[tuple[int, int]]:
    if len(signatures) <= ALL_PAIRS_UP_TO:
        return combinations(range(len(signatures)), 2)
    rows = NUM_PERM // BANDS
    pairs: set[tuple[int, int]] = set()
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = {}
        for index, sig in enumerate(signatures):
            key = sig[band * rows : (band + 1) * rows].tobytes()
            buckets.setdefault(key, []).append(index)
        for members in buckets.values():
            pairs.update(combinations(members, 2))
    return pairs


def find_duplicates(
    texts: Iterable[tuple[str, str]], *, threshold: float = DEFAULT_THRESHOLD
) -> list[DuplicatePair]:
    """Pairs of (id, text) whose estimated Jaccard similarity is at least ``threshold``."""
    items = [(page_id, text) for page_id, text in texts if shingles(text)]
    signatures = [signature(text) for _, text in items]
    found = []
    for i, j in _candidates(signatures):
        similarity = estimate(signatures[i], signatures[j])
        if similarity >= threshold:
            first, second = sorted((items[i][0], items[j][0]))
            found.append(DuplicatePair(first, second, similarity))
    return sorted(found, key=lambda p: (-p.similarity, p.first, p.second))
