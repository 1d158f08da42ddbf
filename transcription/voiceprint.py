"""Voice profiles of sales reps: enrol a rep from a few recordings, store and find their profiles.

A `VoiceProfile` is the L2-normalised CAM++ embedding of the rep's speech (silence removed by
Silero VAD), comparable by cosine similarity with the per-speaker centroids of the mono diarizer
(`speaker_embeddings`). Every profile names the encoder that made it (`encoder`), and matching only
compares vectors of one encoder. The profile keeps its enrolment speech (`speech`, stored by
`FileProfileStore` as `<slug>.speech.flac` beside the JSON), so a later change of encoder re-embeds
it: profiles of another encoder are re-embedded when they are read, or, without stored speech
(profiles made before this), reported as stale (`VoiceProfile.stale`), never compared.
Profiles are plain JSON files in one folder behind the small `ProfileStore` interface.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from transcription.audio import SAMPLE_RATE
from transcription.errors import EmptyInputError, TranscriptParseError

FloatArray = npt.NDArray[np.float32]
logger = logging.getLogger(__name__)
# Profiles written before the encoder was recorded were made by Resemblyzer's GE2E encoder, which
# Talktrack no longer has: such profiles are stale (never compared) unless they kept their speech.
LEGACY_ENCODER = "resemblyzer-ge2e-256"
# Less speech than this gives a profile too noisy to tell two similar voices apart.
MIN_ENROL_SPEECH_S = 3.0
# Each encoder's embedding size (CAM++'s is `transcription.diarization.campplus.EMBEDDING_SIZE`, not
# imported from there, which loads torch: a test keeps them equal; Resemblyzer's was 256).
CAMPPLUS_ENCODER = "campplus-cn-en-common-192"
ENCODER_SIZES: dict[str, int] = {CAMPPLUS_ENCODER: 192, LEGACY_ENCODER: 256}
PROFILE_DIM = ENCODER_SIZES[CAMPPLUS_ENCODER]  # what enrolment makes now


def check_embedding(values: Any, size: int | None = PROFILE_DIM) -> FloatArray:
    """A profile embedding as float32, L2-normalised; raises ValueError unless it is `size` finite
    numbers (any size from 16 to 4096 when `size` is None), not all zero: one NaN profile would
    break every mono call it is compared with."""
    emb = np.asarray(values, dtype=np.float64)
    if size is not None and (emb.ndim != 1 or len(emb) != size):
        raise ValueError(f"embedding must be a list of {size} numbers")
    if emb.ndim != 1 or not 16 <= len(emb) <= 4096:
        raise ValueError("embedding must be a list of 16 to 4096 numbers")
    if not np.isfinite(emb).all():
        raise ValueError("embedding values must be finite numbers")
    peak = float(np.abs(emb).max())
    if peak == 0.0:
        raise ValueError("embedding must not be all zeros")
    emb = emb / peak  # scaled first: the norm of values near 1e308 would overflow
    return np.asarray(emb / np.linalg.norm(emb), dtype=np.float32)


@dataclass(slots=True)
class VoiceProfile:
    """One rep's voice. `embedding` is L2-normalised (192 floats for CAM++); `encoder` the encoder
    that made it; `n_seconds` the speech it was built from; `source_files` the recordings' names;
    `created_at` an ISO-8601 UTC timestamp. `speech` (16 kHz mono, not part of the JSON) is the
    enrolment speech, kept to re-embed the profile with another encoder; `speech_file` names its
    stored copy."""

    name: str
    embedding: FloatArray
    created_at: str
    n_seconds: float
    source_files: list[str] = field(default_factory=list)
    encoder: str = field(default_factory=lambda: current_encoder())
    speech_file: str | None = None
    speech: FloatArray | None = field(default=None, repr=False, compare=False)

    @property
    def stale(self) -> bool:
        """Made by another encoder than the current one (cannot be compared with its speakers)."""
        return self.encoder != current_encoder()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "embedding": [round(float(x), 6) for x in self.embedding],
            "encoder": self.encoder,
            "created_at": self.created_at,
            "n_seconds": round(self.n_seconds, 2),
            "source_files": list(self.source_files),
            "speech_file": self.speech_file,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VoiceProfile:
        try:
            encoder = str(data.get("encoder") or LEGACY_ENCODER)
            return cls(
                name=str(data["name"]),
                embedding=check_embedding(data["embedding"], ENCODER_SIZES.get(encoder)),
                created_at=str(data.get("created_at", "")),
                n_seconds=float(data.get("n_seconds", 0.0)),
                source_files=[str(s) for s in data.get("source_files", [])],
                encoder=encoder,
                speech_file=str(data["speech_file"]) if data.get("speech_file") else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TranscriptParseError(f"not a Talktrack voice profile: {exc}") from exc


def current_encoder() -> str:
    """Id of the encoder that mono diarization and enrolment use now."""
    from transcription.diarization.campplus import ENCODER_ID

    return ENCODER_ID


def speech_of(samples: npt.NDArray[np.floating]) -> FloatArray:
    """The speech parts of 16 kHz mono audio, concatenated (Silero VAD, default thresholds)."""
    from transcription.diarization.speech import SpeechDetector, speech_runs

    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    detector = SpeechDetector()
    detector.add(audio)
    detector.flush()
    runs = speech_runs(detector.probabilities)
    parts = [audio[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)] for s, e in runs]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def build_profile(
    name: str, recordings: Sequence[npt.NDArray[np.floating]], source_files: Sequence[str] = ()
) -> VoiceProfile:
    """Enrol `name` from one or more 16 kHz mono recordings of that person alone.

    Raises `EmptyInputError` when the recordings hold less than `MIN_ENROL_SPEECH_S` of speech.
    """
    if not name.strip():
        raise ValueError("a voice profile needs a name")
    parts = [speech for speech in (speech_of(audio) for audio in recordings) if len(speech) >= SAMPLE_RATE // 2]
    seconds = sum(len(p) for p in parts) / SAMPLE_RATE
    if seconds < MIN_ENROL_SPEECH_S:
        raise EmptyInputError(
            f"found {seconds:.1f} s of speech for {name}; enrolling needs at least {MIN_ENROL_SPEECH_S:.0f} s"
        )
    speech = np.concatenate(parts).astype(np.float32)
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    return VoiceProfile(
        name.strip(), embed_speech(speech), created, seconds, list(source_files), current_encoder(), None, speech
    )


def embed_speech(speech: npt.NDArray[np.floating]) -> FloatArray:
    """The current encoder's L2-normalised embedding of speech (16 kHz mono, silence removed)."""
    from transcription.diarization.campplus import get_campplus

    return get_campplus().embed_utterance(speech)


def reembed(profile: VoiceProfile) -> VoiceProfile:
    """`profile` re-embedded with the current encoder from its enrolment speech (unchanged when it
    is current or has no speech)."""
    if not profile.stale or profile.speech is None or len(profile.speech) == 0:
        return profile
    return replace(profile, embedding=embed_speech(profile.speech), encoder=current_encoder())


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
        return [self._load(path) for path in sorted(self.directory.glob("*.json"))]

    def get(self, name: str) -> VoiceProfile | None:
        path = self._path(name)
        return self._load(path) if path.is_file() else None

    def _load(self, path: Path) -> VoiceProfile:
        """Read one profile; one made by another encoder is re-embedded from its stored speech (and
        saved), or left stale when it has none."""
        try:
            profile = VoiceProfile.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError, TranscriptParseError) as exc:
            raise TranscriptParseError(f"unreadable voice profile {path}: {exc}") from exc
        if profile.speech_file:
            speech_path = self.directory / profile.speech_file
            if speech_path.is_file():
                import soundfile as sf

                data, _ = sf.read(str(speech_path), dtype="float32")
                profile.speech = np.asarray(data, np.float32).reshape(-1)
        if profile.stale and profile.speech is not None:
            old = profile.encoder
            profile = reembed(profile)
            self.save(profile)
            logger.info("voice profile %s re-embedded: %s -> %s", profile.name, old, profile.encoder)
        return profile

    def save(self, profile: VoiceProfile) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(profile.name)
        if profile.speech is not None and len(profile.speech):
            import soundfile as sf

            speech_path = path.with_suffix(".speech.flac")
            sf.write(str(speech_path), np.clip(profile.speech, -1.0, 1.0), SAMPLE_RATE, subtype="PCM_16")
            profile.speech_file = speech_path.name
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(profile.to_dict(), indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a profile

    def delete(self, name: str) -> bool:
        path = self._path(name)
        speech = path.with_suffix(".speech.flac")
        if speech.is_file():
            speech.unlink()
        if path.is_file():
            path.unlink()
            return True
        return False
