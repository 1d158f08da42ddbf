"""Voice profiles of sales reps: enrol a rep from a few recordings, store and find their profiles.

A `VoiceProfile` is the L2-normalised mean Resemblyzer embedding of the rep's speech (silence
removed by the same Silero VAD as diarization, 1.6 s windows as diarization uses), so it is
directly comparable, by cosine similarity, with the per-speaker centroids that
`transcription.diarization.Diarizer.speaker_embeddings` gives. Profiles are plain JSON files in
one folder behind the small `ProfileStore` interface, so the service can move them into its
database later without touching the callers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from transcription.errors import EmptyInputError, TranscriptParseError

FloatArray = npt.NDArray[np.float32]
SAMPLE_RATE = 16000
# Less speech than this gives a profile too noisy to tell two similar voices apart.
MIN_ENROL_SPEECH_S = 3.0
# The speaker encoder's output size (`transcription.diarization.encoder.EMBEDDING_SIZE`; not
# imported from there, which loads torch: a test keeps the two equal).
PROFILE_DIM = 256


def check_embedding(values: Any) -> FloatArray:
    """A profile embedding as float32, L2-normalised; raises ValueError unless it is `PROFILE_DIM`
    finite numbers, not all zero (one NaN profile would break every mono call it is compared with)."""
    emb = np.asarray(values, dtype=np.float64)
    if emb.ndim != 1 or len(emb) != PROFILE_DIM:
        raise ValueError(f"embedding must be a list of {PROFILE_DIM} numbers")
    if not np.isfinite(emb).all():
        raise ValueError("embedding values must be finite numbers")
    peak = float(np.abs(emb).max())
    if peak == 0.0:
        raise ValueError("embedding must not be all zeros")
    emb = emb / peak  # scaled first: the norm of values near 1e308 would overflow
    return np.asarray(emb / np.linalg.norm(emb), dtype=np.float32)


@dataclass(slots=True)
class VoiceProfile:
    """One rep's voice. `embedding` is 256 floats, L2-normalised; `n_seconds` the speech it was
    built from; `source_files` the recordings' names; `created_at` an ISO-8601 UTC timestamp."""

    name: str
    embedding: FloatArray
    created_at: str
    n_seconds: float
    source_files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "embedding": [round(float(x), 6) for x in self.embedding],
            "created_at": self.created_at,
            "n_seconds": round(self.n_seconds, 2),
            "source_files": list(self.source_files),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VoiceProfile:
        try:
            return cls(
                name=str(data["name"]),
                embedding=check_embedding(data["embedding"]),
                created_at=str(data.get("created_at", "")),
                n_seconds=float(data.get("n_seconds", 0.0)),
                source_files=[str(s) for s in data.get("source_files", [])],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TranscriptParseError(f"not a Talktrack voice profile: {exc}") from exc


def speech_of(samples: npt.NDArray[np.floating]) -> FloatArray:
    """The speech parts of 16 kHz mono audio, concatenated (Silero VAD, default thresholds)."""
    from transcription.diarization.params import DiarizationParams
    from transcription.diarization.speech import SpeechDetector, speech_runs

    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    detector = SpeechDetector()
    detector.add(audio)
    detector.flush()
    runs = speech_runs(detector.probabilities, DiarizationParams())
    parts = [audio[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)] for s, e in runs]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def build_profile(
    name: str, recordings: Sequence[npt.NDArray[np.floating]], source_files: Sequence[str] = ()
) -> VoiceProfile:
    """Enrol `name` from one or more 16 kHz mono recordings of that person alone.

    Raises `EmptyInputError` when the recordings hold less than `MIN_ENROL_SPEECH_S` of speech.
    """
    from transcription.diarization.encoder import get_encoder

    if not name.strip():
        raise ValueError("a voice profile needs a name")
    encoder = get_encoder()
    total = np.zeros(256, np.float64)
    seconds = 0.0
    for audio in recordings:
        speech = speech_of(audio)
        dur = len(speech) / SAMPLE_RATE
        if dur < 0.5:
            continue
        total += dur * encoder.embed_utterance(speech)
        seconds += dur
    if seconds < MIN_ENROL_SPEECH_S:
        raise EmptyInputError(
            f"found {seconds:.1f} s of speech for {name}; enrolling needs at least {MIN_ENROL_SPEECH_S:.0f} s"
        )
    emb = (total / np.linalg.norm(total)).astype(np.float32)
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    return VoiceProfile(name.strip(), emb, created, seconds, list(source_files))


def cosine_similarity(a: npt.NDArray[np.floating], b: npt.NDArray[np.floating]) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(np.dot(a, b) / max(na * nb, 1e-12))


class ProfileStore(Protocol):
    """Where voice profiles live. One profile per rep name (saving a name again replaces it)."""

    def list(self) -> list[VoiceProfile]: ...

    def get(self, name: str) -> VoiceProfile | None: ...

    def save(self, profile: VoiceProfile) -> None: ...

    def delete(self, name: str) -> bool: ...


class FileProfileStore:
    """Profiles as `<slug>.json` files in one folder (created on first save)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _path(self, name: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-") or "profile"
        return self.directory / f"{slug}.json"

    def list(self) -> list[VoiceProfile]:
        if not self.directory.is_dir():
            return []
        profiles = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                profiles.append(VoiceProfile.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, json.JSONDecodeError, TranscriptParseError) as exc:
                raise TranscriptParseError(f"unreadable voice profile {path}: {exc}") from exc
        return profiles

    def get(self, name: str) -> VoiceProfile | None:
        path = self._path(name)
        if not path.is_file():
            return None
        return VoiceProfile.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def save(self, profile: VoiceProfile) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(profile.name)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(profile.to_dict(), indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a profile

    def delete(self, name: str) -> bool:
        path = self._path(name)
        if path.is_file():
            path.unlink()
            return True
        return False
