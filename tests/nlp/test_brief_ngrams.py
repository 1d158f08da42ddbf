"""The brief's words models (`nlp.brief.ngrams`): the hashing, the shipped weights, their file
format, and what they score."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp.brief import ngrams
from nlp.brief.features import FEATURES
from nlp.brief.weights import WEIGHTS


def test_words_and_word_pairs_hash_the_same_on_every_run() -> None:
    ids = ngrams.ngram_ids("Per booking? No.")
    # "per", "booking", "?", "no" and the three pairs between them, in fixed buckets
    assert len(ids) == 7 and list(ids) == sorted(ids)
    assert all(0 <= i < ngrams.BUCKETS for i in ids)
    assert ngrams.ngram_ids("PER  booking ? no") == ids  # case and spacing do not matter
    assert ngrams.ngram_ids("") == ()


def test_the_shipped_models_cover_the_fitted_kinds() -> None:
    models = ngrams.read_models()
    assert set(models) == {"pain", "objection", "decision"}
    for w, b in models.values():
        assert w.shape == (ngrams.BUCKETS,) and np.isfinite(w).all() and np.isfinite(b)
    col = FEATURES.index("words")
    assert all(WEIGHTS[k][1][col] != 0.0 for k in models)
    assert all(WEIGHTS[k][1][col] == 0.0 for k in WEIGHTS if k not in models)
    assert ngrams.MODEL_FILE.stat().st_size < 2_000_000


def test_write_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    w = np.linspace(-1, 1, ngrams.BUCKETS, dtype=np.float32)
    ngrams.write_models({"objection": (w, -0.5)}, path)
    back = ngrams.read_models(path)
    assert list(back) == ["objection"]
    assert np.allclose(back["objection"][0], w, atol=1e-3) and back["objection"][1] == -0.5
    assert ngrams.read_models(tmp_path / "absent.npz") == {}


def test_a_kind_without_a_model_scores_zero() -> None:
    assert ngrams.ngram_score("budget", "We have forty thousand set aside for this.") == 0.0


def test_pushback_reads_as_an_objection_and_agreement_does_not() -> None:
    pushback = ["Three years is a long time for us.", "That's a lot more than we pay today."]
    agreement = ["Okay, that works for us.", "Great, I'll see you on Thursday then."]
    score = [ngrams.ngram_score("objection", t) for t in pushback + agreement]
    assert min(score[:2]) > max(score[2:]), score
