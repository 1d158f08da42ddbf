"""A linear model over the sentence's MiniLM embedding, per kind: how much a sentence reads like
the pains (needs, decisions) of the dev calls as a whole, beyond its nearest exemplar.

Its score is one feature of the item scorer (`nlp.brief.features`, "learned"). The weights are
fit by `bench/brief_fit.py` on the evaluation set's dev calls (pains and decisions also on the
written customer sentences of `bench/brief_data/sentences.tsv`; never on the held-out calls) and
ship as plain arrays in
`nlp/brief/models/sentence_kinds.npz` (one `<kind>.w` vector and `<kind>.b` bias per kind; no
pickle). A kind without weights scores 0, and so does a sentence without an embedding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlp.brief.linear_file import Linear, read_linear, write_linear
from transcription.once import load_once

MODEL_FILE = Path(__file__).resolve().parent / "models" / "sentence_kinds.npz"


def read_models(path: Path = MODEL_FILE) -> dict[str, Linear]:
    return read_linear(path)


def write_models(models: dict[str, Linear], path: Path = MODEL_FILE) -> None:
    write_linear(models, path)


@load_once
def _bundled() -> dict[str, Linear]:
    return read_models()


# The models in use; `bench/brief_fit.py` swaps in the ones fit without a call to score that call.
OVERRIDE: dict[str, Linear | None] = {}


def learned_scores(kind: str, vectors: npt.NDArray[np.float32], has_vector: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
    """Each sentence's score for `kind` (the model's log-odds; 0 without a model or a vector)."""
    model = OVERRIDE[kind] if kind in OVERRIDE else _bundled().get(kind)
    if model is None or not len(vectors):
        return np.zeros(len(vectors), dtype=np.float32)
    w, b = model
    return np.where(has_vector, vectors @ w + b, 0.0).astype(np.float32)


__all__ = ["MODEL_FILE", "OVERRIDE", "Linear", "learned_scores", "read_models", "write_models"]
