"""Who is speaking on a live mono stream, one utterance at a time, and which voice is the rep.

`SpeakerTracker` embeds each utterance with CAM++ (the encoder of offline diarization and of voice
profiles) and gives it to the nearest speaker track (cosine similarity to the track's mean
embedding), or opens a new track when no track is close enough. `RepVoice` decides which track is
the rep, strongest evidence first:

1. `uploader` / `profile`: the rep's own voice profile (the live call names the rep user) or any of
   the organization's rep profiles. A track whose mean embedding reaches `accept` is the rep, the
   other tracks customers; a track with enough speech below `reject` is not the rep (a customer),
   and then the other track, if there is one, is the rep.
2. `first_voice`: the last resort, when no profile is given or none has decided yet: the first voice
   heard is the rep (an outbound sales call), with confidence 0.5.

Every decision says its `source` and a `confidence` in [0.5, 1], so the live events can show why a
voice was called the rep. Decisions are re-made after every utterance: a profile match that comes
in later overrides the first-voice guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from transcription.audio import SAMPLE_RATE
from transcription.types import Role, RoleSource
from transcription.voiceprint import VoiceProfile

FloatArray = npt.NDArray[np.float32]
MIN_EMBED_S = 0.3  # shorter utterances are not embedded at all
EMBEDDING_SIZE = 192  # CAM++ (`transcription.diarization.campplus.EMBEDDING_SIZE`)


@dataclass(frozen=True, slots=True)
class TrackerOptions:
    """Live mono speaker tracking (defaults tuned on generated two-voice calls, `bench/live_speakers.py`).

    max_speakers: at most this many voices are told apart.
    join_similarity: while fewer than `max_speakers` voices are known, an utterance whose CAM++
        embedding has a cosine similarity below this to every track's mean opens a new track;
        otherwise it goes to the most similar track.
    min_embed_s: utterances shorter than this are too short for a reliable embedding: they go to
        the most similar track, never open one, and do not move the track's mean.
    max_embed_s: at most this much of an utterance (its middle) is embedded: bounded latency.
    profile_accept: a track whose mean embedding reaches this cosine similarity to a rep profile is
        that rep.
    profile_reject: a track with at least `profile_min_s` of speech whose similarity to every rep
        profile stays below this is not a rep.
    profile_min_s: speech a track needs before a profile may call it "not the rep".
    first_speaker_role: the role the first voice gets when no profile decides.
    """

    max_speakers: int = 2
    join_similarity: float = 0.6
    min_embed_s: float = 1.0
    max_embed_s: float = 6.0
    profile_accept: float = 0.75
    profile_reject: float = 0.5
    profile_min_s: float = 3.0
    first_speaker_role: Role = "rep"


@dataclass(frozen=True, slots=True)
class RoleDecision:
    """One track's role, why (`source`), and how sure (`confidence`, None when given by a channel)."""

    role: Role
    source: RoleSource
    confidence: float | None


class SpeakerTracker:
    """Incremental speaker assignment of a mono stream's utterances (CAM++ embeddings)."""

    def __init__(self, options: TrackerOptions | None = None) -> None:
        from transcription.diarization.campplus import get_campplus  # torch: only mono streams pay for it

        self.options = options or TrackerOptions()
        self._encoder = get_campplus()
        self._sums: list[FloatArray] = []
        self.speech_s: list[float] = []  # embedded speech per track

    @property
    def centroids(self) -> list[FloatArray]:
        """Each track's L2-normalised mean embedding."""
        return [s / max(float(np.linalg.norm(s)), 1e-8) for s in self._sums]

    def embed(self, samples: npt.NDArray[np.floating]) -> FloatArray:
        """CAM++ embedding of (the middle `max_embed_s` of) one utterance."""
        keep = int(self.options.max_embed_s * SAMPLE_RATE)
        excess = len(samples) - keep
        middle = samples[excess // 2 : excess // 2 + keep] if excess > 0 else samples
        return self._encoder.embed_utterance(np.asarray(middle, np.float32))

    def assign(self, samples: npt.NDArray[np.floating]) -> int:
        """The 0-based track of the utterance `samples` (a new index opens a new track)."""
        seconds = len(samples) / SAMPLE_RATE
        return self.assign_embedding(self.embed(samples) if seconds >= MIN_EMBED_S else None, seconds)

    def assign_embedding(self, emb: FloatArray | None, seconds: float) -> int:
        """`assign` for an utterance already embedded (`emb`; None when too short to embed)."""
        o = self.options
        if emb is None:  # nothing to embed: the latest track
            if not self._sums:
                self._open(np.zeros(EMBEDDING_SIZE, np.float32), 0.0)
            return len(self._sums) - 1
        long_enough = seconds >= o.min_embed_s
        if self._sums:
            sims = [float(emb @ c) for c in self.centroids]
            best = int(np.argmax(sims))
            if sims[best] >= o.join_similarity or not long_enough or len(self._sums) >= o.max_speakers:
                if long_enough:
                    self._sums[best] = self._sums[best] + emb
                    self.speech_s[best] += seconds
                return best
        self._open(emb, seconds)
        return len(self._sums) - 1

    def _open(self, emb: FloatArray, seconds: float) -> None:
        self._sums.append(emb.copy())
        self.speech_s.append(seconds)


class RepVoice:
    """Decides which live track is the rep from voice profiles, else from who spoke first.

    `profiles` are the rep profiles to look for; `source` says where they come from ("uploader":
    the profile of the rep the call names; "profile": the organization's rep profiles). Profiles
    of another encoder than the tracker's are never compared (`usable`).
    """

    def __init__(self, profiles: Sequence[VoiceProfile] = (), source: RoleSource = "profile",
                 options: TrackerOptions | None = None) -> None:
        from transcription.voiceprint import current_encoder

        self.options = options or TrackerOptions()
        encoder = current_encoder()
        self.usable = [p for p in profiles if p.encoder == encoder]
        self.stale = [p for p in profiles if p.encoder != encoder]
        self.source: RoleSource = source
        self._profiles = (np.stack([p.embedding for p in self.usable]).astype(np.float32)
                          if self.usable else np.zeros((0, EMBEDDING_SIZE), np.float32))

    def decide(self, centroids: Sequence[FloatArray], speech_s: Sequence[float]) -> list[RoleDecision]:
        """One decision per track, in track order."""
        n = len(centroids)
        o = self.options
        if n and len(self._profiles):
            sims = (np.stack(centroids) @ self._profiles.T).max(axis=1)  # best profile per track
            sims = np.where(np.asarray(speech_s) > 0, sims, np.nan)
            if np.nanmax(sims, initial=-1.0) >= o.profile_accept:
                rep = int(np.nanargmax(sims))
                others = np.delete(sims, rep)
                lead = float(sims[rep] - np.nanmax(others, initial=-1.0))
                conf = _confidence(float(sims[rep]) - o.profile_accept, 0.1) * (0.75 + 0.25 * min(1.0, lead / 0.2))
                return [RoleDecision("rep" if i == rep else "customer", self.source, round(max(0.5, conf), 3))
                        for i in range(n)]
            not_rep = [i for i in range(n) if speech_s[i] >= o.profile_min_s and sims[i] < o.profile_reject]
            if not_rep:
                conf = min(_confidence(o.profile_reject - float(sims[i]), 0.2) for i in not_rep)
                open_tracks = [i for i in range(n) if i not in not_rep]
                # Two voices and one is surely not the rep: the other one is (a call has one rep).
                rep_i = open_tracks[0] if len(open_tracks) == 1 and n >= 2 else None
                return [RoleDecision("customer" if i in not_rep else ("rep" if i == rep_i else "unknown"),
                                     self.source, round(conf, 3)) for i in range(n)]
        first = o.first_speaker_role
        return [RoleDecision(first if i == 0 else _other(first), "first_voice", 0.5) for i in range(n)]


def _confidence(margin: float, full: float) -> float:
    """0.6 at a margin of 0, rising linearly to 1.0 at `full`."""
    return 0.6 + 0.4 * min(1.0, max(0.0, margin / full))


def _other(role: Role) -> Role:
    return {"rep": "customer", "customer": "rep"}.get(role, "unknown")  # type: ignore[return-value]
