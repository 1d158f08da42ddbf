"""Live transcription: PCM chunks in as they arrive, speaker-attributed utterances out.

`LiveTranscriber` is one stream's state. `feed_pcm16()` is cheap (voice-activity scoring only)
and returns the `SpeechSegment`s that just closed; `transcribe(segment)` runs Whisper on one
closed segment, exactly once, and gives the `Utterance`. Keeping the two apart lets a server score
audio on the connection's own task and send every Whisper call, from every stream, through one
worker thread with one model (two cores do not decode two things at once any faster).

Speakers: on a stereo stream each channel is one speaker ("S1" left, "S2" right, as the offline
stereo path names them) and `rep_channel` gives the roles. On a mono stream each utterance is
embedded with the same Resemblyzer encoder as offline diarization and assigned to the closest
speaker seen so far, or opens a new one (`SpeakerTracker`). Mono roles are a guess: the first
voice is taken to be the rep (an outbound sales call), with role_confidence 0.5.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from transcription.endpointing import SAMPLE_RATE, Endpointer, EndpointOptions, SileroStream, SpeechSpan
from transcription.errors import UnsupportedFormatError
from transcription.live_asr import UtteranceRecognizer
from transcription.types import Role, Speaker, Word

FloatArray = npt.NDArray[np.float32]

MAX_EMBED_S = 3.0  # voice embedding of a mono utterance uses at most this much of it


@dataclass(frozen=True, slots=True)
class StreamingOptions:
    """One live stream's settings.

    endpoint: voice-activity endpointing (see `EndpointOptions`).
    max_speakers: mono only: at most this many voices are told apart.
    join_similarity: mono only: while fewer than `max_speakers` voices are known, an utterance
        whose voice embedding has a cosine similarity below this to every known speaker's mean
        opens a new speaker; otherwise it goes to the most similar one. On the pyannote phone
        sample same-speaker utterances score 0.6-0.9 and different speakers 0.6-0.88, so live
        mono attribution is approximate (the stored call is diarized offline).
    min_embed_s: mono only: utterances shorter than this are too short for a reliable embedding;
        they go to the most similar known speaker and never open a new one.
    first_speaker_role: mono only: the role given to the first voice heard.
    """

    endpoint: EndpointOptions = field(default_factory=EndpointOptions)
    max_speakers: int = 2
    join_similarity: float = 0.8
    min_embed_s: float = 1.0
    first_speaker_role: Role = "rep"


@dataclass(frozen=True, slots=True)
class SpeechSegment:
    """A closed stretch of speech of one channel, waiting to be transcribed.

    `channel` is the audio channel (None for a mono stream); `start_s`/`end_s` are seconds of
    stream audio where the voice activity starts and ends; `samples` hold that plus a little
    padding on each side (`pad_start_s` is where they start); `speech_s` is the voice-active time inside it; `closed_at_s`
    is the stream time at which the endpointer closed it (end + the closing silence)."""

    index: int
    channel: int | None
    start_s: float
    end_s: float
    speech_s: float
    closed_at_s: float
    pad_start_s: float
    samples: FloatArray = field(repr=False)


@dataclass(frozen=True, slots=True)
class Utterance:
    """One transcribed live utterance. `words` carry times spread over the segment in proportion
    to their length (live decoding does not align words; the stored call's offline analysis
    does)."""

    index: int
    speaker: str
    role: Role
    channel: int | None
    start: float
    end: float
    text: str
    words: list[Word]
    confidence: float  # exp(mean token log-probability)


class _ChannelBuffer:
    """The recent audio of one channel: enough to cut out any segment still open."""

    def __init__(self) -> None:
        self._chunks: deque[tuple[int, FloatArray]] = deque()
        self.end = 0  # samples received so far

    def append(self, samples: FloatArray) -> None:
        self._chunks.append((self.end, samples))
        self.end += samples.size

    def slice(self, start: int, end: int) -> FloatArray:
        parts = [c[max(0, start - s) : max(0, end - s)] for s, c in self._chunks if s < end and s + c.size > start]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def forget_before(self, sample: int) -> None:
        while self._chunks and self._chunks[0][0] + self._chunks[0][1].size <= sample:
            self._chunks.popleft()


class SpeakerTracker:
    """Incremental speaker assignment for a mono stream from per-utterance voice embeddings."""

    def __init__(self, options: StreamingOptions) -> None:
        from transcription.diarization.encoder import get_encoder  # torch: only mono streams pay for it

        self._encoder = get_encoder()
        self._options = options
        self._sums: list[FloatArray] = []

    def assign(self, samples: FloatArray) -> int:
        """The 0-based index of the speaker of `samples` (a new index opens a new speaker)."""
        o = self._options
        if samples.size < 0.3 * SAMPLE_RATE:
            return 0 if not self._sums else len(self._sums) - 1
        # At most the middle MAX_EMBED_S of the utterance, windows without overlap: bounded cost.
        excess = samples.size - int(MAX_EMBED_S * SAMPLE_RATE)
        middle = samples[excess // 2 : excess // 2 + int(MAX_EMBED_S * SAMPLE_RATE)] if excess > 0 else samples
        emb = self._encoder.embed_utterance(middle, hop_frames=160)
        if self._sums:
            sims = [float(emb @ (s / max(float(np.linalg.norm(s)), 1e-8))) for s in self._sums]
            best = int(np.argmax(sims))
            long_enough = samples.size >= o.min_embed_s * SAMPLE_RATE
            if sims[best] >= o.join_similarity or not long_enough or len(self._sums) >= o.max_speakers:
                if long_enough:
                    self._sums[best] = self._sums[best] + emb
                return best
        self._sums.append(emb.copy())
        return len(self._sums) - 1


class LiveTranscriber:
    """One live stream: interleaved 16-bit PCM in, `SpeechSegment`s and then `Utterance`s out.

    `feed_pcm16` and `finish` must be called from one thread, in stream order; `transcribe` may
    run on another thread but must get the segments in the order they were returned.
    """

    def __init__(
        self,
        recognizer: UtteranceRecognizer,
        *,
        channels: int = 1,
        sample_rate: int = SAMPLE_RATE,
        rep_channel: int | None = 0,
        options: StreamingOptions | None = None,
    ) -> None:
        if sample_rate != SAMPLE_RATE:
            raise UnsupportedFormatError(f"live audio must be {SAMPLE_RATE} Hz PCM, not {sample_rate} Hz")
        if channels not in (1, 2):
            raise UnsupportedFormatError(f"live audio must have 1 or 2 channels, not {channels}")
        if rep_channel is not None and rep_channel not in range(channels):
            raise UnsupportedFormatError(f"rep_channel {rep_channel} does not exist in a {channels}-channel stream")
        self.options = options or StreamingOptions()
        self.channels = channels
        self.recognizer = recognizer
        self._vads = [SileroStream() for _ in range(channels)]
        self._endpointers = [Endpointer(self.options.endpoint) for _ in range(channels)]
        self._buffers = [_ChannelBuffer() for _ in range(channels)]
        self._remainder = b""
        self._next_index = 0
        self._tracker: SpeakerTracker | None = None
        self.speakers: list[Speaker] = []
        if channels == 2:
            self.speakers = [
                Speaker(id=f"S{c + 1}", role=_channel_role(c, rep_channel), channel=c) for c in range(channels)
            ]

    @property
    def duration_s(self) -> float:
        """Seconds of audio received so far."""
        return self._buffers[0].end / SAMPLE_RATE

    def feed_pcm16(self, data: bytes) -> list[SpeechSegment]:
        """Add interleaved 16-bit little-endian PCM (any length; a trailing partial frame waits
        for the next call). Returns the segments this closed, in order of their end."""
        frame = 2 * self.channels
        data = self._remainder + data
        usable = len(data) - len(data) % frame
        self._remainder = data[usable:]
        if usable == 0:
            return []
        pcm = np.frombuffer(data[:usable], dtype="<i2").reshape(-1, self.channels)
        return self.feed(pcm.astype(np.float32) / 32768.0)

    def feed(self, samples: FloatArray) -> list[SpeechSegment]:
        """Add float samples, shape (n, channels) or (n,) for mono."""
        frames = samples.reshape(-1, self.channels)
        closed: list[tuple[int, SpeechSpan]] = []
        for c in range(self.channels):
            channel = np.ascontiguousarray(frames[:, c], dtype=np.float32)
            self._buffers[c].append(channel)
            closed.extend((c, span) for span in self._endpointers[c].push(self._vads[c].push(channel)))
        return self._emit(closed)

    def finish(self) -> list[SpeechSegment]:
        """End of stream: close whatever speech is still open."""
        closed = [(c, span) for c, ep in enumerate(self._endpointers) for span in ep.flush()]
        return self._emit(closed)

    def _emit(self, closed: list[tuple[int, SpeechSpan]]) -> list[SpeechSegment]:
        out: list[SpeechSegment] = []
        now = self._buffers[0].end / SAMPLE_RATE
        for c, span in sorted(closed, key=lambda cs: (cs[1].speech_end, cs[0])):
            out.append(
                SpeechSegment(
                    index=self._next_index,
                    channel=c if self.channels == 2 else None,
                    start_s=span.speech_start / SAMPLE_RATE,
                    end_s=span.speech_end / SAMPLE_RATE,
                    speech_s=span.speech_samples / SAMPLE_RATE,
                    closed_at_s=now,
                    pad_start_s=span.start / SAMPLE_RATE,
                    samples=self._buffers[c].slice(span.start, span.end),
                )
            )
            self._next_index += 1
        keep_s = self.options.endpoint.pad_s + 0.1
        for c, (buf, ep) in enumerate(zip(self._buffers, self._endpointers, strict=True)):
            since = ep.open_since
            buf.forget_before(since if since is not None else buf.end - int(keep_s * SAMPLE_RATE))
            del c
        return out

    def transcribe(self, segment: SpeechSegment) -> Utterance | None:
        """Whisper on one closed segment (the expensive step), with its speaker; None when the
        segment holds no credible speech."""
        rec = self.recognizer.recognize(segment.samples, speech_s=segment.speech_s)
        if rec is None:
            return None
        speaker = self._speaker_for(segment)
        words = _spread_words(rec.text.split(), segment, speaker.id)
        return Utterance(
            index=segment.index,
            speaker=speaker.id,
            role=speaker.role,
            channel=segment.channel,
            start=round(segment.start_s, 3),
            end=round(segment.end_s, 3),
            text=rec.text,
            words=words,
            confidence=round(float(np.exp(rec.avg_logprob)), 3),
        )

    def _speaker_for(self, segment: SpeechSegment) -> Speaker:
        if segment.channel is not None:
            return self.speakers[segment.channel]
        if self._tracker is None:
            self._tracker = SpeakerTracker(self.options)
        k = self._tracker.assign(segment.samples)
        while len(self.speakers) <= k:
            first = not self.speakers
            role: Role = self.options.first_speaker_role if first else _other(self.options.first_speaker_role)
            self.speakers.append(Speaker(id=f"S{len(self.speakers) + 1}", role=role, role_confidence=0.5))
        return self.speakers[k]


def _channel_role(channel: int, rep_channel: int | None) -> Role:
    if rep_channel is None:
        return "unknown"
    return "rep" if channel == rep_channel else "customer"


def _other(role: Role) -> Role:
    return {"rep": "customer", "customer": "rep"}.get(role, "unknown")  # type: ignore[return-value]


def _spread_words(tokens: list[str], segment: SpeechSegment, speaker: str) -> list[Word]:
    """Word times spread over the segment in proportion to each word's length (plus one)."""
    if not tokens:
        return []
    weights = np.array([len(t) + 1 for t in tokens], dtype=np.float64)
    edges = segment.start_s + (segment.end_s - segment.start_s) * np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum()
    return [
        Word(start=round(float(edges[i]), 3), end=round(float(edges[i + 1]), 3), word=t, speaker=speaker, probability=1.0)
        for i, t in enumerate(tokens)
    ]
