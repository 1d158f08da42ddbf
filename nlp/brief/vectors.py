"""Sentence embeddings shared by the language stage and the brief: each text is embedded once.

The semantic trackers embed most sentences of a call already; the brief's chapters, item
scores and answered-question checks read those vectors back instead of running MiniLM again
(`nlp.analysis` hands one `EmbeddingCache` to both). Texts the trackers skipped (short
sentences, a tracker set without examples) are embedded on first use, in one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from nlp.semantic import EMBEDDING_DIM

Vectors = npt.NDArray[np.float32]
Embed = Callable[[Sequence[str]], Vectors]


class EmbeddingCache:
    """A text -> unit vector cache in front of an embedder (default: the bundled MiniLM, loaded on
    first use)."""

    def __init__(self, embed: Embed | None = None) -> None:
        self._embed = embed
        self._vectors: dict[str, Vectors] = {}

    def _embedder(self) -> Embed:
        if self._embed is None:
            from nlp.semantic import load_embedder

            self._embed = load_embedder().embed
        return self._embed

    def __contains__(self, text: object) -> bool:
        return text in self._vectors

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of `texts`, in order (shape (n, 384)); only unseen texts reach the model."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            for text, vector in zip(missing, self._embedder()(missing), strict=True):
                self._vectors[text] = vector
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])


__all__ = ["Embed", "EmbeddingCache", "Vectors"]
