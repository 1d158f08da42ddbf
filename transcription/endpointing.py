"""Voice-activity endpointing for live audio: where an utterance starts, and when it is over.

Silero VAD (the ONNX model bundled with faster-whisper) scores every 32 ms window of one channel;
`SileroStream` keeps the model's recurrent state between calls, so a stream scored chunk by chunk
gets the same probabilities as the whole recording scored at once. `Endpointer` turns those
probabilities into closed speech segments:

- speech starts at the first window at or above `threshold`;
- it ends once `min_silence_s` of windows below `neg_threshold` have passed (hysteresis as in
  faster-whisper's VAD: a window between the two thresholds continues the current state);
- a segment that reaches `max_segment_s` is cut at its latest pause of at least `min_pause_s`
  (or, without one, right there), so the time from speech to transcript stays bounded;
- segments with less than `min_speech_s` of speech are dropped (clicks, breaths, "mm").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from transcription.audio import SAMPLE_RATE

FloatArray = npt.NDArray[np.float32]

WINDOW = 512  # Silero's window at 16 kHz (32 ms)
_CONTEXT = 64  # samples of the previous window Silero v5+ prepends to each window
WINDOW_S = WINDOW / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class EndpointOptions:
    """Endpointing thresholds (seconds are of stream audio).

    threshold / neg_threshold: Silero probability at which a window starts speech / below which it
        counts as silence.
    min_silence_s: silence that closes an utterance; the main term of live latency (the
        utterance event cannot come before this much silence has been heard).
    min_pause_s: the shortest silence a long utterance may be cut at.
    soft_max_segment_s: once a segment is this long, a pause of `min_pause_s` already closes it
        (a long turn is delivered in pieces at its pauses instead of waiting for the hard bound).
    max_segment_s: longest segment; longer speech is cut at its latest pause. Kept under 15 s so a
        segment fits the half-length Whisper encoder window the live recogniser uses.
    min_speech_s: segments with less speech than this are dropped.
    pad_s: audio kept before and after the detected speech (Silero's boundaries are tight and
        Whisper misses clipped word edges).
    """

    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_silence_s: float = 0.4
    min_pause_s: float = 0.15
    soft_max_segment_s: float = 6.0
    max_segment_s: float = 14.0
    min_speech_s: float = 0.25
    pad_s: float = 0.2

    def __post_init__(self) -> None:
        if not 0.0 < self.neg_threshold <= self.threshold < 1.0:
            raise ValueError("need 0 < neg_threshold <= threshold < 1")
        if self.pad_s > self.min_silence_s:
            raise ValueError("pad_s must not exceed min_silence_s (the padding must already be heard)")
        if self.max_segment_s <= 2 * self.pad_s + self.min_speech_s:
            raise ValueError("max_segment_s is too short")


class SileroStream:
    """Silero speech probabilities for one channel, fed in pieces of any length."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model  # the bundled ONNX model, loaded once per process

        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def push(self, samples: FloatArray) -> FloatArray:
        """Probabilities of the complete 32 ms windows now available (one per window, in order);
        a remainder shorter than a window waits for the next call."""
        buf = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        n = len(buf) // WINDOW
        self._pending = buf[n * WINDOW :]
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        windows = buf[: n * WINDOW].reshape(n, WINDOW)
        contexts = np.empty((n, _CONTEXT), dtype=np.float32)
        contexts[0] = self._context
        contexts[1:] = windows[:-1, -_CONTEXT:]
        self._context = windows[-1, -_CONTEXT:].copy()
        batch = np.concatenate([contexts, windows], axis=1)
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        return np.asarray(out, dtype=np.float32).reshape(-1)


@dataclass(frozen=True, slots=True)
class SpeechSpan:
    """A closed stretch of speech in samples of the stream: [start, end) with padding,
    [speech_start, speech_end) the voice-active part the endpointer saw."""

    start: int
    end: int
    speech_start: int
    speech_end: int
    speech_samples: int  # windows scored as speech inside it, in samples


class Endpointer:
    """Turns per-window speech probabilities of one channel into closed `SpeechSpan`s."""

    def __init__(self, options: EndpointOptions | None = None) -> None:
        self.options = options or EndpointOptions()
        o = self.options
        self._min_silence = max(1, round(o.min_silence_s / WINDOW_S))
        self._min_pause = max(1, round(o.min_pause_s / WINDOW_S))
        self._max_windows = int(o.max_segment_s / WINDOW_S)
        self._soft_max_windows = int(o.soft_max_segment_s / WINDOW_S)
        self._pad = round(o.pad_s * SAMPLE_RATE)
        self._min_speech = round(o.min_speech_s * SAMPLE_RATE)
        self._window = 0  # index of the next window to be scored
        self._start: int | None = None  # first speech window of the open segment
        self._silence_start: int | None = None  # first window of the current silence run
        self._last_pause: tuple[int, int] | None = None  # (start, end) windows of the latest long-enough pause
        self._speech_windows = 0
        self._floor = 0  # no span may start before this sample (the end of the previous one)

    @property
    def open_since(self) -> int | None:
        """Sample at which the open segment's audio starts (padding included), None if none is open."""
        return None if self._start is None else self._span_start(self._start)

    def _span_start(self, window: int) -> int:
        return max(self._floor, window * WINDOW - self._pad)

    def push(self, probabilities: FloatArray) -> list[SpeechSpan]:
        """Advance by one window per probability; returns the spans this closed, in order."""
        o = self.options
        closed: list[SpeechSpan] = []
        for p in probabilities:
            i = self._window
            self._window += 1
            if self._start is None:
                if p >= o.threshold:
                    self._start, self._silence_start, self._last_pause, self._speech_windows = i, None, None, 1
                continue
            if p >= o.threshold or (p >= o.neg_threshold and self._silence_start is None):
                if self._silence_start is not None and i - self._silence_start >= self._min_pause:
                    self._last_pause = (self._silence_start, i)
                self._silence_start = None
                self._speech_windows += 1
            elif self._silence_start is None:
                self._silence_start = i
            silence = 0 if self._silence_start is None else i + 1 - self._silence_start
            long_pause = silence >= self._min_pause and i + 1 - self._start >= self._soft_max_windows
            if self._silence_start is not None and (silence >= self._min_silence or long_pause):
                closed.extend(self._close(self._silence_start, next_start=None))
            elif i + 1 - self._start >= self._max_windows:
                closed.extend(self._cut(i + 1))
        return closed

    def _cut(self, now: int) -> list[SpeechSpan]:
        """The open segment is too long: end it at its latest pause, continuing after it."""
        if self._silence_start is not None and now - self._silence_start >= self._min_pause:
            return self._close(self._silence_start, next_start=None)
        if self._last_pause is not None:
            pause_start, pause_end = self._last_pause
            return self._close(pause_start, next_start=pause_end)
        return self._close(now, next_start=now, hard=True)

    def _close(self, end_window: int, *, next_start: int | None, hard: bool = False) -> list[SpeechSpan]:
        assert self._start is not None
        first = self._start
        start = self._span_start(first)
        end = end_window * WINDOW + (0 if hard else self._pad)
        if next_start is not None:
            end = min(end, max(next_start * WINDOW - self._pad, end_window * WINDOW))
        # After a cut, the speech windows past the cut belong to the next segment; an estimate will do.
        counted = self._speech_windows if next_start is None else min(self._speech_windows, end_window - self._start)
        speech = counted * WINDOW
        self._floor = end
        if next_start is None:
            self._start = None
        else:
            self._start = next_start
            self._speech_windows = self._window - next_start
        self._silence_start, self._last_pause = None, None
        if speech < self._min_speech:
            return []
        speech_start = max(start, first * WINDOW)
        return [SpeechSpan(start, end, speech_start, max(speech_start, min(end, end_window * WINDOW)), speech)]

    def flush(self) -> list[SpeechSpan]:
        """End of stream: close the open segment at the last scored window."""
        if self._start is None:
            return []
        end = self._silence_start if self._silence_start is not None else self._window
        spans = self._close(end, next_start=None)
        limit = self._window * WINDOW
        return [SpeechSpan(s.start, min(s.end, limit), s.speech_start, min(s.speech_end, limit), s.speech_samples) for s in spans]
