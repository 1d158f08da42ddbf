"""Live transcription: PCM chunks in as they arrive, speaker-attributed utterances out.

`LiveTranscriber` is one stream's state. `feed_pcm16()` is cheap (voice-activity scoring only)
and returns the `SpeechSegment`s that just closed; `transcribe(segment)` runs Whisper on one
closed segment, exactly once, and gives the `Utterance`. Keeping the two apart lets a server score
audio on the connection's own task and send every Whisper call, from every stream, through one
worker thread with one model (two cores do not decode two things at once any faster).

Speakers: on a stereo stream each channel is one speaker ("S1" left, "S2" right, as the offline
stereo path names them) and `rep_channel` gives the roles (source "channel"). On a mono stream each
utterance is embedded with CAM++, the encoder of offline diarization and voice profiles, and given
to the nearest speaker track or a new one; the rep's voice profile, when given, decides which track
is the rep, and "the first voice is the rep" is only the last resort (`transcription.live_speakers`).
Every utterance says which rule decided its role (`role_source`) and how sure it is.

Language: the recogniser is one language's (`UtteranceRecognizer`) or one call's choice
(`live_asr.LiveLanguage`: a chosen language or `auto`); each utterance says the language it was
decoded in. Chinese text is cut into words as Whisper cuts it offline (one per character, Latin
words whole, punctuation on the character before: `transcription.scripts.split_chinese`), so the
language stage reads a live Chinese utterance as it reads an offline one.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from transcription.audio import SAMPLE_RATE
from transcription.endpointing import Endpointer, EndpointOptions, SileroStream, SpeechSpan
from transcription.errors import UnsupportedFormatError
from transcription.languages import ENGLISH
from transcription.live_asr import Recognizer
from transcription.live_speakers import RepVoice, RoleDecision, SpeakerTracker, TrackerOptions
from transcription.scripts import is_chinese_text, split_chinese
from transcription.types import Role, RoleSource, Speaker, Word
from transcription.voiceprint import VoiceProfile

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class StreamingOptions:
    """One live stream's settings.

    endpoint: voice-activity endpointing (see `EndpointOptions`).
    speakers: mono only: speaker tracking and the rep decision (see `TrackerOptions`).
    """

    endpoint: EndpointOptions = field(default_factory=EndpointOptions)
    speakers: TrackerOptions = field(default_factory=TrackerOptions)


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
    role_source: RoleSource | None = None  # which rule gave `role` (None: no rule, role "unknown")
    role_confidence: float | None = None  # 0.5..1; None when a channel says so
    speaker_s: float = 0.0  # seconds spent finding the speaker (the CAM++ embedding on mono)
    language: str = ENGLISH  # the language it was decoded in


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


class LiveTranscriber:
    """One live stream: interleaved 16-bit PCM in, `SpeechSegment`s and then `Utterance`s out.

    `feed_pcm16` and `finish` must be called from one thread, in stream order; `transcribe` may
    run on another thread but must get the segments in the order they were returned.

    `rep_profiles` (mono only): the voice profiles that identify the rep, from `profile_source`
    ("uploader": the profile of the rep the call names; "profile": the organization's reps).
    `roles_version` goes up whenever a speaker already heard changes role (a profile match that came
    in later overrides the first-voice guess); `role_sources` says which rule gave each speaker's role.
    """

    def __init__(
        self,
        recognizer: Recognizer,
        *,
        channels: int = 1,
        sample_rate: int = SAMPLE_RATE,
        rep_channel: int | None = 0,
        options: StreamingOptions | None = None,
        rep_profiles: Sequence[VoiceProfile] = (),
        profile_source: RoleSource = "profile",
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
        self._rep_voice = RepVoice(rep_profiles, profile_source, self.options.speakers) if channels == 1 else None
        self.speakers: list[Speaker] = []
        self.role_sources: dict[str, RoleSource | None] = {}
        self.roles_version = 0
        if channels == 2:
            self.speakers = [
                Speaker(id=f"S{c + 1}", role=_channel_role(c, rep_channel), channel=c) for c in range(channels)
            ]
            self.role_sources = {s.id: "channel" if rep_channel is not None else None for s in self.speakers}

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
        began = time.perf_counter()
        speaker = self._speaker_for(segment)
        speaker_s = time.perf_counter() - began
        tokens = rec.text.split()
        if rec.language == "zh" or is_chinese_text(rec.text):
            tokens = [unit for token in tokens for unit in split_chinese(token)]
        words = _spread_words(tokens, segment, speaker.id)
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
            role_source=self.role_sources.get(speaker.id),
            role_confidence=speaker.role_confidence,
            speaker_s=round(speaker_s, 4),
            language=rec.language,
        )

    def _speaker_for(self, segment: SpeechSegment) -> Speaker:
        if segment.channel is not None:
            return self.speakers[segment.channel]
        assert self._rep_voice is not None  # a mono stream
        if self._tracker is None:
            self._tracker = SpeakerTracker(self.options.speakers)
        k = self._tracker.assign(segment.samples)
        while len(self.speakers) <= k:
            self.speakers.append(Speaker(id=f"S{len(self.speakers) + 1}"))
        decisions = self._rep_voice.decide(self._tracker.centroids, self._tracker.speech_s)
        self._apply(decisions, heard=k)
        return self.speakers[k]

    def _apply(self, decisions: list[RoleDecision], heard: int) -> None:
        """Give each track its decided role; count a change of an earlier speaker's role."""
        changed = False
        for i, (speaker, d) in enumerate(zip(self.speakers, decisions, strict=True)):
            was = (speaker.role, self.role_sources.get(speaker.id))
            speaker.role, speaker.role_confidence = d.role, d.confidence
            self.role_sources[speaker.id] = d.source
            if i != heard and was[1] is not None and was != (d.role, d.source):
                changed = True
        if changed:
            self.roles_version += 1


def _channel_role(channel: int, rep_channel: int | None) -> Role:
    if rep_channel is None:
        return "unknown"
    return "rep" if channel == rep_channel else "customer"


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
