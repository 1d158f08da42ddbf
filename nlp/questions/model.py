"""The trained question-type model: a multinomial logistic regression over hashed sentence features
(`nlp.questions.features`).

The weights ship in the package (`nlp/questions/models/<language>.npz`, written by
`bench/questions_train.py`; the model card is docs/questions.md). A language plugs in with its
own weight file and feature function; English is the first. Loading reads plain arrays (no
pickle); scoring is a sparse sum and a softmax in numpy.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from transcription.errors import ModelNotFoundError
from transcription.once import load_once

MODELS = Path(__file__).resolve().parent / "models"
# The model's classes: the five countable types, the two kinds of question that are not counted,
# and everything else.
LABELS = ("open", "yes_no", "choice", "declarative", "tag", "backchannel", "rhetorical", "none")


def feature_index(name: str, n_buckets: int) -> int:
    """A feature's column: CRC-32 of its name (stable across processes and platforms)."""
    return zlib.crc32(name.encode("utf-8")) % n_buckets


@dataclass(frozen=True)
class QuestionModel:
    """Weights of one language's model.

    `sparse`: (n_buckets, n_labels) weights of the hashed features; `bias`: (n_labels,);
    `meta`: what the training script recorded (data, sizes, scores).
    """

    labels: tuple[str, ...]
    sparse: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    meta: dict[str, object]

    @property
    def n_buckets(self) -> int:
        return int(self.sparse.shape[0])

    def probabilities(self, features: Sequence[Sequence[str]]) -> npt.NDArray[np.float32]:
        """Class probabilities, shape (n, n_labels), for each sentence's feature names."""
        logits = np.tile(self.bias, (len(features), 1))
        for row, names in enumerate(features):
            cols = [feature_index(name, self.n_buckets) for name in names]
            if cols:
                logits[row] += self.sparse[cols].sum(axis=0)
        logits -= logits.max(axis=1, keepdims=True)
        exp: npt.NDArray[np.float32] = np.exp(logits).astype(np.float32)
        exp /= exp.sum(axis=1, keepdims=True)
        return exp

    @property
    def none_threshold(self) -> float:
        """A sentence is not a question only when "none" is at least this probable (chosen on
        validation data by the training script; 0.5 when the model file names none)."""
        value = self.meta.get("none_threshold", 0.5)
        return float(value) if isinstance(value, int | float) else 0.5

    def predict(self, features: Sequence[Sequence[str]]) -> list[str]:
        """Each sentence's label: "none" when its probability reaches `none_threshold`, else the
        most probable of the others."""
        if not features:
            return []
        return decide(self.probabilities(features), self.labels, self.none_threshold)

    def save(self, path: Path) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "sparse": self.sparse.astype(np.float16), "bias": self.bias.astype(np.float32),
            "labels": np.array(self.labels), "meta": np.array(json.dumps(self.meta, sort_keys=True)),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            np.savez_compressed(f, **arrays)  # type: ignore[arg-type]


def decide(probabilities: npt.NDArray[np.float32], labels: Sequence[str], none_threshold: float) -> list[str]:
    """Labels from class probabilities (rows), with "none" held to its own threshold."""
    none = labels.index("none")
    others = probabilities.copy()
    others[:, none] = -1.0
    best = others.argmax(axis=1)
    return [labels[none] if row[none] >= none_threshold else labels[b] for row, b in zip(probabilities, best, strict=True)]


def read_model(path: Path) -> QuestionModel:
    """A model file written by `QuestionModel.save`."""
    if not path.exists():
        raise ModelNotFoundError(f"The question model {path} is missing; reinstall talktrack or run "
                                 "`python -m bench.questions_train`.")
    with np.load(path, allow_pickle=False) as data:
        return QuestionModel(
            labels=tuple(str(x) for x in data["labels"]),
            sparse=data["sparse"].astype(np.float32),
            bias=data["bias"].astype(np.float32),
            meta=json.loads(str(data["meta"])),
        )


@load_once
def english_model() -> QuestionModel:
    """The shipped English model, loaded once per process."""
    return read_model(MODELS / "en.npz")


__all__ = ["LABELS", "MODELS", "QuestionModel", "english_model", "feature_index", "read_model"]
