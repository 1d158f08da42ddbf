"""A BERT encoder's forward pass in plain torch, for inference: the last hidden state of a batch.

The same operations, in the same order and on tensors of the same layout, as transformers'
`BertModel` with its default `sdpa` attention, so the numbers are bit for bit the same; it reads
the same `config.json` and `model.safetensors`. Importing transformers costs seconds (it pulls in
torch's compiler and distributed packages and scipy); this costs nothing beyond torch. Dropout is
left out (inference), and so is the pooler, whose output nothing here reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True, slots=True)
class BertConfig:
    """What the forward pass needs from a BERT `config.json`."""

    num_layers: int
    num_heads: int
    hidden_size: int
    layer_norm_eps: float

    @classmethod
    def read(cls, path: Path) -> BertConfig:
        raw = json.loads(path.read_text(encoding="utf-8"))
        # What this forward pass implements; anything else would silently compute something else.
        supported = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute",
                     "is_decoder": False, "add_cross_attention": False, "chunk_size_feed_forward": 0}
        for key, value in supported.items():
            if raw.get(key, value) != value:
                raise ValueError(f"{path}: {key}={raw[key]!r} is not supported (only {value!r})")
        return cls(num_layers=int(raw["num_hidden_layers"]), num_heads=int(raw["num_attention_heads"]),
                   hidden_size=int(raw["hidden_size"]), layer_norm_eps=float(raw["layer_norm_eps"]))


class BertEncoder:
    """The encoder of a BERT checkpoint folder (`config.json`, `model.safetensors`), on the CPU."""

    def __init__(self, model_dir: Path) -> None:
        import torch
        from safetensors.torch import load_file

        self._torch = torch
        self.config = BertConfig.read(model_dir / "config.json")
        self._w = load_file(str(model_dir / "model.safetensors"), device="cpu")
        self._head_size = self.config.hidden_size // self.config.num_heads
        self._scaling = self._head_size**-0.5
        max_positions = self._w["embeddings.position_embeddings.weight"].shape[0]
        self._position_ids = torch.arange(max_positions).expand((1, -1))

    def _layer_norm(self, x: torch.Tensor, prefix: str) -> torch.Tensor:
        w = self._w
        return self._torch.nn.functional.layer_norm(
            x, (self.config.hidden_size,), w[f"{prefix}.weight"], w[f"{prefix}.bias"], self.config.layer_norm_eps
        )

    def _linear(self, x: torch.Tensor, prefix: str) -> torch.Tensor:
        return self._torch.nn.functional.linear(x, self._w[f"{prefix}.weight"], self._w[f"{prefix}.bias"])

    def __call__(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        """The last hidden state, shape (batch, tokens, hidden), for int64 tensors of shape
        (batch, tokens); `attention_mask` is 1 for a token and 0 for padding. Call under
        `torch.inference_mode()`."""
        torch, w = self._torch, self._w
        functional = torch.nn.functional
        batch, length = input_ids.shape
        hidden = functional.embedding(input_ids, w["embeddings.word_embeddings.weight"])
        hidden = hidden + functional.embedding(token_type_ids, w["embeddings.token_type_embeddings.weight"])
        positions = self._position_ids[:, :length]
        hidden = hidden + functional.embedding(positions, w["embeddings.position_embeddings.weight"])
        hidden = self._layer_norm(hidden, "embeddings.LayerNorm")
        # No padding: no mask at all (as transformers, which lets sdpa pick its fastest kernel);
        # else a boolean (batch, 1, query, key) mask that hides the padded keys.
        mask = None
        if not bool(attention_mask.all()):
            mask = attention_mask.bool()[:, None, None, :].expand(batch, 1, length, length).contiguous()
        heads = (batch, length, -1, self._head_size)
        for i in range(self.config.num_layers):
            p = f"encoder.layer.{i}"
            query = self._linear(hidden, f"{p}.attention.self.query").view(*heads).transpose(1, 2)
            key = self._linear(hidden, f"{p}.attention.self.key").view(*heads).transpose(1, 2)
            value = self._linear(hidden, f"{p}.attention.self.value").view(*heads).transpose(1, 2)
            attended = functional.scaled_dot_product_attention(
                query, key, value, attn_mask=mask, dropout_p=0.0, scale=self._scaling, is_causal=False
            )
            attended = attended.reshape(batch, -1, length, self._head_size).transpose(1, 2).contiguous()
            attended = attended.reshape(batch, length, -1).contiguous()
            attended = self._linear(attended, f"{p}.attention.output.dense")
            attention_output = self._layer_norm(attended + hidden, f"{p}.attention.output.LayerNorm")
            intermediate = functional.gelu(self._linear(attention_output, f"{p}.intermediate.dense"))
            out = self._linear(intermediate, f"{p}.output.dense")
            hidden = self._layer_norm(out + attention_output, f"{p}.output.LayerNorm")
        return hidden
