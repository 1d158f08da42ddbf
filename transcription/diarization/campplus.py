"""CAM++ speaker embeddings: 80-bin log-mel fbank (kaldi-native-fbank) -> frame-level CAM++ features
-> (weighted) mean + standard-deviation pooling -> 192-dim embedding.

The network runs once over a stretch of audio (`frame_features`), and each (window, local speaker)
embedding pools only the frames where that speaker talks (`pool`): pyannote's masked statistics
pooling, with CAM++ instead of WeSpeaker's ResNet. `embed_utterance` embeds a whole recording (voice
profiles). `ENCODER_ID` names this encoder in stored voice profiles.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from transcription.audio import SAMPLE_RATE
from transcription.once import load_once

from .models import campplus_model

FloatArray = npt.NDArray[np.float32]
EMBEDDING_SIZE = 192
FEATURE_SIZE = 512  # channels of CAM++'s last frame-level layer
# fbank frames every 10 ms; CAM++'s first TDNN layer has stride 2: one feature frame per 20 ms.
FRAME_S = 0.02
SAMPLES_PER_FRAME = 320
ENCODER_ID = "campplus-cn-en-common-192"


@lru_cache(maxsize=1)
def _fbank_options() -> Any:
    import kaldi_native_fbank as knf

    opts = knf.FbankOptions()
    opts.frame_opts.samp_freq = SAMPLE_RATE
    opts.frame_opts.dither = 0.0
    opts.frame_opts.frame_length_ms = 25.0
    opts.frame_opts.frame_shift_ms = 10.0
    opts.mel_opts.num_bins = 80
    return opts


def fbank(audio: npt.NDArray[np.floating]) -> FloatArray:
    """(frames, 80) log-mel filterbank of 16 kHz mono audio, mean-normalised over the frames
    (CAM++'s training front end). Audio is scaled to 16-bit sample values as Kaldi expects."""
    import kaldi_native_fbank as knf

    online = knf.OnlineFbank(_fbank_options())
    online.accept_waveform(SAMPLE_RATE, (np.asarray(audio, np.float32) * 32768.0).tolist())
    online.input_finished()
    n = online.num_frames_ready
    if n == 0:
        return np.zeros((0, 80), np.float32)
    feats = np.stack([online.get_frame(i) for i in range(n)]).astype(np.float32)
    out: FloatArray = feats - feats.mean(axis=0, keepdims=True)
    return out


class CamppEncoder:
    """CAM++ on the CPU. Thread-safe for concurrent callers (one forward pass at a time)."""

    def __init__(self) -> None:
        self._model: Any = campplus_model()
        self._lock = threading.Lock()

    def frame_features(self, chunks: list[npt.NDArray[np.floating]]) -> FloatArray:
        """(len(chunks), 512, frames) frame-level features of equally long audio chunks, one feature
        frame per 20 ms (`chunks` each a multiple of 320 samples long)."""
        import torch

        feats = np.stack([fbank(c) for c in chunks])
        with self._lock, torch.inference_mode():
            x = torch.from_numpy(feats).permute(0, 2, 1)
            x = self._model.head(x)
            for name, layer in self._model.xvector.named_children():
                if name == "stats":
                    break
                x = layer(x)
        out: FloatArray = x.numpy().astype(np.float32, copy=False)
        return out

    def pool(self, features: FloatArray, weights: FloatArray) -> FloatArray:
        """Embeddings (n, 192) from `features` (n, 512, frames) and frame `weights` (n, frames):
        weighted mean and standard deviation over time, then CAM++'s dense layer. Rows whose weights
        sum to zero give zero vectors."""
        import torch

        w = np.asarray(weights, np.float32)
        total = w.sum(axis=1, keepdims=True)
        wn = w / np.maximum(total, 1e-6)
        mean = np.einsum("nct,nt->nc", features, wn)
        var = np.einsum("nct,nt->nc", features**2, wn) - mean**2
        std = np.sqrt(np.maximum(var, 1e-4))
        stats = np.concatenate([mean, std], axis=1).astype(np.float32)
        with self._lock, torch.inference_mode():
            emb: FloatArray = self._model.xvector.dense(torch.from_numpy(stats)).numpy().astype(np.float32)
        emb[total[:, 0] <= 0] = 0.0
        return emb

    def embed_utterance(self, audio: npt.NDArray[np.floating], chunk_s: float = 10.0) -> FloatArray:
        """One L2-normalised embedding of a whole recording of one voice: features over chunks of
        `chunk_s` (the last one shorter), pooled over all frames."""
        audio = np.asarray(audio, np.float32).reshape(-1)
        step = int(chunk_s * SAMPLE_RATE)
        feats = []
        for i in range(0, len(audio), step):
            piece = audio[i : i + step]
            piece = piece[: len(piece) - len(piece) % SAMPLES_PER_FRAME]
            if len(piece) >= 2 * SAMPLES_PER_FRAME:
                feats.append(self.frame_features([piece])[0])
        if not feats:
            return np.zeros(EMBEDDING_SIZE, np.float32)
        allf = np.concatenate(feats, axis=1)[None]
        emb = self.pool(allf, np.ones((1, allf.shape[2]), np.float32))[0]
        out: FloatArray = (emb / max(float(np.linalg.norm(emb)), 1e-8)).astype(np.float32)
        return out


@load_once
def get_campplus() -> CamppEncoder:
    """The process-wide CAM++ encoder (loaded once)."""
    return CamppEncoder()
