"""Text embeddings for retrieval: the ``Embedder`` seam and the offline wordllama default.

An embedder turns texts into L2-normalised float32 rows. wordllama ships its 256-dimension
weights inside the wheel, so it runs offline; a provider-backed embedder (through the router)
can be plugged in later through the same protocol. When no embedder is available retrieval
falls back to BM25 and says so.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

INSTALL_HINT = "pip install 'researchos[embeddings]'"
MAX_EMBED_CHARS = 4000


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into one L2-normalised float32 row each."""

    @property
    def name(self) -> str:
        """Stable model name stored with every vector (vectors of other models are ignored)."""
        ...

    @property
    def min_similarity(self) -> float:
        """Cosine below which a vector hit is noise for this model (measured per model)."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


_MODELS: dict[int, Any] = {}  # one loaded model per dimension, shared by the process
_MODELS_LOCK = threading.Lock()


def _wordllama(dimensions: int) -> Any:
    with _MODELS_LOCK:
        if dimensions not in _MODELS:
            import wordllama
            from wordllama import WordLlama

            # load() without cache_dir tries a download; the weights sit in the package
            _MODELS[dimensions] = WordLlama.load(
                cache_dir=Path(wordllama.__file__).parent,
                trunc_dim=dimensions if dimensions < 256 else None,
                disable_download=True,
            )
        return _MODELS[dimensions]


@dataclass(frozen=True)
class WordLlamaEmbedder:
    """wordllama's bundled 256-dim model, loaded lazily from the package directory."""

    dimensions: int = 256
    # On the labelled test corpus 0.1 keeps every relevant page and drops half of the
    # irrelevant ones; 0.15 already loses a short paraphrase query (docs/knowledge.md).
    min_similarity: float = 0.1

    @property
    def name(self) -> str:
        return f"wordllama-l2-supercat-{self.dimensions}"

    def _load(self) -> Any:
        return _wordllama(self.dimensions)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        clipped = [t[:MAX_EMBED_CHARS] for t in texts]
        return normalise(self._load().embed(clipped))


@dataclass(frozen=True)
class EmbedderChoice:
    """The embedder to use, or None with the reason retrieval runs BM25-only."""

    embedder: Embedder | None
    notice: str | None = None


def load_embedder(choice: str) -> EmbedderChoice:
    """``wordllama`` (default) or ``none``; a missing package becomes a notice, not an error."""
    if choice == "none":
        return EmbedderChoice(None, "vectors disabled (RESEARCHOS_KNOWLEDGE_EMBEDDER=none)")
    if importlib.util.find_spec("wordllama") is None:  # the import itself waits for first use
        return EmbedderChoice(
            None, f"wordllama is not installed: BM25 only; for hybrid search: {INSTALL_HINT}"
        )
    return EmbedderChoice(WordLlamaEmbedder())
