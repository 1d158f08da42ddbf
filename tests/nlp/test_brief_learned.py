"""The brief's embedding models (`nlp.brief.learned`): the shipped weights, their file format, and
what they score."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp.brief import learned
from nlp.brief.features import FEATURES
from nlp.brief.vectors import EmbeddingCache
from nlp.brief.weights import WEIGHTS
from nlp.semantic import EMBEDDING_DIM


def test_the_shipped_models_cover_the_fitted_kinds() -> None:
    models = learned.read_models()
    assert set(models) == {"pain", "need", "decision"}
    for w, b in models.values():
        assert w.shape == (EMBEDDING_DIM,) and np.isfinite(w).all() and np.isfinite(b)
    # Each fitted kind reads the feature; the kinds without a model give it no weight.
    col = FEATURES.index("learned")
    assert all(WEIGHTS[k][1][col] != 0.0 for k in models)
    assert all(WEIGHTS[k][1][col] == 0.0 for k in WEIGHTS if k not in models)


def test_write_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    w = np.linspace(-1, 1, EMBEDDING_DIM, dtype=np.float32)
    learned.write_models({"pain": (w, -0.5)}, path)
    back = learned.read_models(path)
    assert list(back) == ["pain"]
    assert np.allclose(back["pain"][0], w) and back["pain"][1] == -0.5
    assert learned.read_models(tmp_path / "absent.npz") == {}


def test_scores_are_zero_without_a_vector_or_a_model() -> None:
    vectors = np.ones((3, EMBEDDING_DIM), dtype=np.float32) / np.sqrt(EMBEDDING_DIM)
    has = np.array([True, False, True])
    pain = learned.learned_scores("pain", vectors, has)
    assert pain[1] == 0.0 and pain[0] != 0.0 and pain[0] == pain[2]
    assert (learned.learned_scores("objection", vectors, has) == 0.0).all()  # no model for objections


def test_a_pain_reads_as_a_pain_and_small_talk_does_not() -> None:
    texts = [
        "Every Monday two of my planners spend the whole morning retyping orders from email into the system.",
        "Last month we shipped the wrong parts to a hospital and paid for the return out of our own pocket.",
        "Sounds good, I will see you on Thursday then.",
        "The weather has been lovely here all week.",
    ]
    vectors = EmbeddingCache().embed(texts)
    pain = learned.learned_scores("pain", vectors, np.ones(len(texts), dtype=bool))
    assert min(pain[:2]) > max(pain[2:]), pain
