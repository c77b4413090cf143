"""Deterministic embeddings by feature hashing: texts sharing words get similar vectors.

Not a language model, but stable across processes and machines (blake2b, not ``hash()``),
so knowledge search works offline and its tests are repeatable.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re

DIMENSIONS = 256
_WORD = re.compile(r"\w+", re.UNICODE)


def hash_vector(text: str, dimensions: int = DIMENSIONS) -> list[float]:
    vector = [0.0] * dimensions
    words = _WORD.findall(text.lower())
    features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    for feature in features:
        digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        vector[digest % dimensions] += 1.0 if digest >> 63 else -1.0
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0:
        vector[0] = 1.0
        return vector
    return [x / norm for x in vector]
