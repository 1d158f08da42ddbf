"""Speaker embeddings from Resemblyzer's bundled voice encoder, computed in batches.

Resemblyzer ships a 3-layer LSTM (GE2E loss, Wan et al. 2018) trained on 1.6 s partial utterances
of 40-band power mel frames (25 ms window, 10 ms hop) normalised to -30 dBFS. We load its weights
straight from the installed package and compute the mel frames ourselves, because (1) importing
`resemblyzer` pulls in `webrtcvad`, which needs `pkg_resources` (gone from recent setuptools), and
(2) diarization needs one mel pass over the stream and many overlapping windows embedded in
batches, which Resemblyzer's per-utterance API does not offer.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from transcription.errors import ModelNotFoundError

from .params import SAMPLE_RATE

FloatArray = npt.NDArray[np.float32]

N_FFT = 400  # 25 ms at 16 kHz
HOP = 160  # 10 ms
N_MELS = 40
EMBEDDING_SIZE = 256
FRAMES_PER_SECOND = SAMPLE_RATE // HOP  # 100
FRAME_CENTRE_S = N_FFT / 2 / SAMPLE_RATE  # frame i is centred at i / FRAMES_PER_SECOND + 12.5 ms
TARGET_DBFS = -30.0
_MAX_GAIN_DB = 40.0  # never lift near-silence by more than this



def frame_count(n_samples: int) -> int:
    """How many complete 25 ms frames, one every 10 ms, `n_samples` samples hold."""
    return 0 if n_samples < N_FFT else 1 + (n_samples - N_FFT) // HOP

class _Encoder(nn.Module):
    """Resemblyzer's network, parameter names identical so its checkpoint loads as is."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
        self.linear = nn.Linear(256, EMBEDDING_SIZE)

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(mels)
        raw = torch.relu(self.linear(hidden[-1]))
        out: torch.Tensor = raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-8)
        return out


def _weights_path() -> Path:
    spec = importlib.util.find_spec("resemblyzer")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError("the speaker encoder needs the 'resemblyzer' package; install talktrack's dependencies")
    path = Path(list(spec.submodule_search_locations)[0]) / "pretrained.pt"
    if not path.is_file():
        raise ModelNotFoundError(f"Resemblyzer's bundled encoder weights are missing at {path}")
    return path


class SpeakerEncoder:
    """Turns 16 kHz mono audio into L2-normalised 256-d speaker embeddings. Thread-safe."""

    def __init__(self) -> None:
        checkpoint = torch.load(_weights_path(), map_location="cpu", weights_only=True)
        self._net = _Encoder()
        self._net.load_state_dict(checkpoint["model_state"], strict=False)
        self._net.eval()
        self._lock = threading.Lock()
        self._mel_basis = _mel_filterbank()
        self._window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann, as librosa

    def mel_frames(self, samples: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Power mel frames (n, 40) and each frame's mean square (n,) for the complete 25 ms frames
        of `samples`; frame i covers samples [160 i, 160 i + 400)."""
        n = frame_count(len(samples))
        if n == 0:
            return np.zeros((0, N_MELS), np.float32), np.zeros(0, np.float32)
        frames = np.lib.stride_tricks.sliding_window_view(samples[: (n - 1) * HOP + N_FFT], N_FFT)[::HOP]
        power = np.mean(frames.astype(np.float32) ** 2, axis=1)
        spec = np.abs(np.fft.rfft(frames * self._window, axis=1)) ** 2
        mel = (spec.astype(np.float32) @ self._mel_basis.T).astype(np.float32)
        return mel, power.astype(np.float32)

    def embed_windows(self, mels: FloatArray, powers: FloatArray) -> FloatArray:
        """Embed a batch of equal-length windows: `mels` (B, T, 40), `powers` (B, T) from `mel_frames`.
        Each window is scaled to -30 dBFS first, as Resemblyzer's training audio was."""
        if len(mels) == 0:
            return np.zeros((0, EMBEDDING_SIZE), np.float32)
        level_db = 10.0 * np.log10(np.maximum(powers.mean(axis=1), 1e-10))
        gain_db = np.clip(TARGET_DBFS - level_db, -_MAX_GAIN_DB, _MAX_GAIN_DB)
        scaled = mels * (10.0 ** (gain_db / 10.0)).astype(np.float32)[:, None, None]
        with self._lock, torch.inference_mode():
            out = self._net(torch.from_numpy(np.ascontiguousarray(scaled, dtype=np.float32)))
        return np.asarray(out.numpy(), dtype=np.float32)

    def embed_utterance(self, samples: FloatArray, window_frames: int = 160, hop_frames: int = 80) -> FloatArray:
        """One embedding for audio of one speaker: the normalised mean of its window embeddings.
        Audio shorter than one window is tiled to a full window."""
        mel, power = self.mel_frames(samples)
        if len(mel) == 0:
            raise ValueError("audio too short to embed")
        if len(mel) < window_frames:
            idx = np.resize(np.arange(len(mel)), window_frames)
            mel, power = mel[idx], power[idx]
        starts = list(range(0, len(mel) - window_frames + 1, hop_frames))
        if starts[-1] != len(mel) - window_frames:
            starts.append(len(mel) - window_frames)
        mels = np.stack([mel[s : s + window_frames] for s in starts])
        powers = np.stack([power[s : s + window_frames] for s in starts])
        embs = np.concatenate([self.embed_windows(mels[i : i + 64], powers[i : i + 64]) for i in range(0, len(mels), 64)])
        mean = embs.mean(axis=0)
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-8), dtype=np.float32)


def _mel_filterbank() -> FloatArray:
    import librosa  # imported here: only needed once, and librosa's import is slow

    basis = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS)
    return np.asarray(basis, dtype=np.float32)


@lru_cache(maxsize=1)
def get_encoder() -> SpeakerEncoder:
    """The process-wide encoder (loaded once, ~20 MB)."""
    return SpeakerEncoder()
