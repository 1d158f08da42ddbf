"""Whisper on one closed live utterance: text out, fast, with guards against hallucinated text.

The offline path (`transcription.asr`) decodes 30 s windows; Whisper's encoder costs the same for
a one-second "yes" as for 30 s of speech, which is most of the time a short utterance takes. Live
segments are at most ~14.4 s (`EndpointOptions.max_segment_s` + padding), so the recogniser pads
them to a 15 s encoder window (1,500 mel frames): CTranslate2 accepts the shorter input and the
encoder runs about 3x faster. Whisper was trained on 30 s windows only; on a shorter window it
tends to repeat itself past the end of the speech, so decoding is capped at a token budget
proportional to the audio length, and a result that still looks like a loop is decoded again on
the full 30 s window. The word-error cost of the short window is measured in `bench/live_latency.py`.

Hallucination guards (Whisper writes plausible text over silence and noise):
- segments quieter than `min_rms` are not decoded at all;
- Whisper's own rule: no-speech probability above `no_speech_threshold` while the mean token
  log-probability is below `log_prob_threshold` means silence;
- a text that gzip-compresses better than `compression_ratio_threshold` is a loop;
- the stock phrases Whisper invents on near-silence ("Thank you.", "Thanks for watching!") are
  dropped when the audio holds less than `stock_phrase_max_speech_s` of speech.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import ctranslate2
import numpy as np
import numpy.typing as npt
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_compression_ratio, get_suppressed_tokens

from transcription.asr import DISFLUENT_PROMPT, AsrOptions, load_whisper
from transcription.audio import SAMPLE_RATE

FloatArray = npt.NDArray[np.float32]

HOP = 160  # Whisper's mel hop: 100 frames a second
FULL_WINDOW_FRAMES = 3000

STOCK_PHRASES = frozenset(
    {
        "thank you",
        "thank you very much",
        "thanks for watching",
        "thank you for watching",
        "please subscribe",
        "bye",
        "you",
        "so",
        "okay",
    }
)


@dataclass(frozen=True, slots=True)
class LiveAsrOptions:
    """How one live utterance is decoded.

    model / compute_type / cpu_threads: as `transcription.asr.AsrOptions` (None = bundled tiny.en,
        all cores). cpu_threads defaults to 1: on the 2-core machine one thread decodes a live
        utterance in 0.29 s against 0.51 s with two (tiny.en's small matrices do not pay for the
        synchronisation), and the other core stays free for endpointing and the server.
    encoder_frames: encoder window in mel frames (100 a second); 3000 is Whisper's native 30 s.
    beam_size: 5, as offline: on the sample call greedy decoding costs 7 WER points on the rep's
        channel for 18% less CPU per utterance (the encoder dominates either way).
    prompt: text given as "previous text": `asr.DISFLUENT_PROMPT`, which keeps "um"/"uh". Live WER
        was measured with it. (The offline default dropped it: over whole two-voice windows it made
        tiny.en skip speech; each live utterance is one short voice, where that was not seen.)
    max_tokens_per_s: decoding budget; fast speech is ~4 words (~5-6 tokens) a second.
    """

    model: str | None = None
    compute_type: str = "int8"
    cpu_threads: int | None = 1
    encoder_frames: int = 1500
    beam_size: int = 5
    prompt: str | None = DISFLUENT_PROMPT
    max_tokens_per_s: float = 10.0
    min_rms: float = 0.002
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    stock_phrase_max_speech_s: float = 1.5

    def __post_init__(self) -> None:
        if not 100 <= self.encoder_frames <= FULL_WINDOW_FRAMES:
            raise ValueError("encoder_frames must be between 100 and 3000")


@dataclass(frozen=True, slots=True)
class Recognition:
    """The text of one utterance and the decoder's confidence in it."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    encoder_frames: int


class UtteranceRecognizer:
    """Decodes one utterance at a time with one shared Whisper model (a lock serialises callers,
    because two decodings at once on two cores only slow each other down)."""

    def __init__(self, options: LiveAsrOptions | None = None, model: WhisperModel | None = None) -> None:
        self.options = options or LiveAsrOptions()
        o = self.options
        self._model = model or load_whisper(
            AsrOptions(model=o.model, compute_type=o.compute_type, cpu_threads=o.cpu_threads)
        )
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual, "transcribe", "en")
        self._suppress = get_suppressed_tokens(self._tokenizer, (-1,))
        prefix: list[int] = []
        if o.prompt:
            prefix = [self._tokenizer.sot_prev, *self._tokenizer.encode(" " + o.prompt.strip())]
        self._prompt = [*prefix, *self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Run one decoding on silence so the first real utterance does not pay for lazy set-up."""
        self._decode(np.zeros(SAMPLE_RATE, dtype=np.float32), self.options.encoder_frames, 10)

    def recognize(self, samples: FloatArray, speech_s: float | None = None) -> Recognition | None:
        """The text of `samples` (16 kHz mono float32), or None when the guards judge it silence,
        noise or a hallucination. `speech_s` is the voice-active time (for the stock-phrase guard);
        None means the whole length."""
        o = self.options
        if samples.size < SAMPLE_RATE // 10:
            return None
        if float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < o.min_rms:
            return None
        duration = samples.size / SAMPLE_RATE
        budget = int(duration * o.max_tokens_per_s) + 8
        frames = o.encoder_frames if samples.size <= (o.encoder_frames - 10) * HOP else FULL_WINDOW_FRAMES
        result = self._decode(samples, frames, budget)
        if result.compression_ratio > o.compression_ratio_threshold and frames < FULL_WINDOW_FRAMES:
            result = self._decode(samples, FULL_WINDOW_FRAMES, budget)
        if result.compression_ratio > o.compression_ratio_threshold:
            return None
        if result.no_speech_prob > o.no_speech_threshold and result.avg_logprob < o.log_prob_threshold:
            return None
        if not result.text:
            return None
        active = duration if speech_s is None else speech_s
        unsure = result.no_speech_prob > 0.2 or result.avg_logprob < -0.7
        if active < o.stock_phrase_max_speech_s and unsure and _normalise(result.text) in STOCK_PHRASES:
            return None
        return result

    def _decode(self, samples: FloatArray, frames: int, budget: int) -> Recognition:
        padded = np.zeros(frames * HOP, dtype=np.float32)
        n = min(samples.size, padded.size)
        padded[:n] = samples[:n]
        mel = self._model.feature_extractor(padded)[:, :frames]
        features = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None], dtype=np.float32))
        with self._lock:
            encoded = self._model.model.encode(features, to_cpu=False)
            out = self._model.model.generate(
                encoded,
                [self._prompt],
                beam_size=self.options.beam_size,
                max_length=len(self._prompt) + budget,
                return_scores=True,
                return_no_speech_prob=True,
                suppress_blank=True,
                suppress_tokens=self._suppress,
            )[0]
        tokens = [t for t in out.sequences_ids[0] if t < self._tokenizer.eot]
        text = self._tokenizer.decode(tokens).strip()
        cum_logprob = float(out.scores[0]) * len(tokens)  # scores are normalised by length (penalty 1)
        return Recognition(
            text=text,
            avg_logprob=cum_logprob / (len(tokens) + 1),
            no_speech_prob=float(out.no_speech_prob),
            compression_ratio=get_compression_ratio(text) if text else 0.0,
            encoder_frames=frames,
        )


def _normalise(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch == " ").split())
