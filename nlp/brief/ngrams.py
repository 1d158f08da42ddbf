"""A linear model over the sentence's words, per kind: how much its words and word pairs read like
the pains (needs, objections, decisions) of the dev calls.

The embedding models (`nlp.brief.learned`) see what a sentence is about; these see how it is said
("Per booking? No.", "not mine to sign", "a veto on anything"), and they score short sentences the
embeddings skip. On dev calls the scorer was not tuned on, this model alone ranked a kind's
sentences as well as or better than the whole cue-based scorer (docs/brief.md, eleventh run).

Features are binary: each lower-cased word and each pair of neighbouring words, hashed into
`BUCKETS` slots (a stable CRC-32, so no vocabulary ships). The weights are fit by
`bench/brief_fit.py` on the evaluation set's dev calls (never the held-out ones) and ship as plain
arrays in `models/sentence_ngrams.npz` (one `<kind>.w` vector and `<kind>.b` bias per kind; no
pickle). A kind without weights scores 0.
"""

from __future__ import annotations

import functools
import re
import zlib
from pathlib import Path

import numpy as np

from nlp.brief.linear_file import Linear, read_linear, write_linear
from transcription.once import load_once

MODEL_FILE = Path(__file__).resolve().parent / "models" / "sentence_ngrams.npz"
BUCKETS = 1 << 16
_TOKEN = re.compile(r"[a-z0-9']+|\?")


@functools.lru_cache(maxsize=8192)
def ngram_ids(text: str) -> tuple[int, ...]:
    """The sorted, distinct buckets of the sentence's words and word pairs (cached: every kind's
    model reads the same sentences)."""
    words = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return tuple(sorted({zlib.crc32(g.encode("utf-8")) % BUCKETS for g in grams}))


def read_models(path: Path = MODEL_FILE) -> dict[str, Linear]:
    return read_linear(path)


def write_models(models: dict[str, Linear], path: Path = MODEL_FILE) -> None:
    write_linear(models, path, np.float16)


@load_once
def _bundled() -> dict[str, Linear]:
    return read_models()


# The models in use; `bench/brief_fit.py` swaps in the ones fit without a call to score that call.
OVERRIDE: dict[str, Linear | None] = {}


def ngram_score(kind: str, text: str) -> float:
    """The sentence's score for `kind` (the model's log-odds; 0 without a model)."""
    model = OVERRIDE[kind] if kind in OVERRIDE else _bundled().get(kind)
    if model is None:
        return 0.0
    w, b = model
    return float(w[list(ngram_ids(text))].sum() + b)


__all__ = ["BUCKETS", "MODEL_FILE", "OVERRIDE", "Linear", "ngram_ids", "ngram_score", "read_models", "write_models"]
