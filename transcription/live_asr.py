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

Languages: English goes to tiny.en, as before; any other language to the multilingual Whisper base
(`transcription.multilingual`), which decodes whichever language it is told (its start-of-transcript
tokens name it) without the English disfluent prompt, and Chinese comes out in Simplified characters
(`transcription.chinese.to_simplified`), as offline. `LiveLanguage` is one call's choice: a chosen
language, or `auto`, where the base model names each utterance's language until one is sure enough to
keep for the rest of the call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import ctranslate2
import numpy as np
import numpy.typing as npt
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_compression_ratio, get_suppressed_tokens

from transcription.asr import DETECTION_MIN_PROBABILITY, DISFLUENT_PROMPT, AsrOptions, load_whisper
from transcription.audio import SAMPLE_RATE
from transcription.languages import AUTO, ENGLISH, is_chinese

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
        compute_type is int8 for every model, the multilingual one too (its latency budget; offline
        recognition reads Mandarin in float32).
    encoder_frames: encoder window in mel frames (100 a second); 3000 is Whisper's native 30 s.
    beam_size: 5, as offline: on the sample call greedy decoding costs 7 WER points on the rep's
        channel for 18% less CPU per utterance (the encoder dominates either way).
    prompt: text given as "previous text": `asr.DISFLUENT_PROMPT`, which keeps "um"/"uh". Live WER
        was measured with it. (The offline default dropped it: over whole two-voice windows it made
        tiny.en skip speech; each live utterance is one short voice, where that was not seen.)
    max_tokens_per_s: decoding budget; fast speech is ~4 words (~5-6 tokens) a second.
    language: the language decoded when `recognize` names none: "en" (tiny.en, the default) or a
        Whisper code, which loads the multilingual Whisper base (as `AsrOptions.language`). The
        disfluent prompt is English: other languages are decoded without it, as offline.
    models_dir: where the multilingual model is joined on first use (as `AsrOptions.models_dir`).
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
    language: str = ENGLISH
    models_dir: str | None = None

    def __post_init__(self) -> None:
        if not 100 <= self.encoder_frames <= FULL_WINDOW_FRAMES:
            raise ValueError("encoder_frames must be between 100 and 3000")
        if self.language == AUTO:
            raise ValueError("a recogniser decodes one language at a time: use LiveLanguage for auto")


@dataclass(frozen=True, slots=True)
class Recognition:
    """The text of one utterance (Simplified characters for Chinese), the language it was decoded
    in, and the decoder's confidence in it."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    encoder_frames: int
    language: str = ENGLISH


class Recognizer(Protocol):
    """What `transcription.streaming.LiveTranscriber` decodes its utterances with: an
    `UtteranceRecognizer` (one language) or a `LiveLanguage` (one call's language choice)."""

    def recognize(self, samples: FloatArray, speech_s: float | None = None) -> Recognition | None: ...


class UtteranceRecognizer:
    """Decodes one utterance at a time with one shared Whisper model (a lock serialises callers,
    because two decodings at once on two cores only slow each other down)."""

    def __init__(self, options: LiveAsrOptions | None = None, model: WhisperModel | None = None) -> None:
        self.options = options or LiveAsrOptions()
        o = self.options
        self._model = model or load_whisper(
            AsrOptions(model=o.model, compute_type=o.compute_type, cpu_threads=o.cpu_threads, language=o.language,
                       models_dir=o.models_dir)
        )
        self.multilingual = bool(self._model.model.is_multilingual)
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, self.multilingual, "transcribe",
                                    o.language if self.multilingual else ENGLISH)
        self._suppress = get_suppressed_tokens(self._tokenizer, (-1,))
        self._prompts: dict[str, list[int]] = {}
        self._prompt = self._prompt_for(o.language)
        self._lock = threading.Lock()

    def _prompt_for(self, language: str) -> list[int]:
        """The decoder's prompt for `language`: the disfluent prompt (English only), then the
        start-of-transcript tokens, which name the language on a multilingual model."""
        if language not in self._prompts:
            tokenizer = self._tokenizer if language == self.options.language else Tokenizer(
                self._model.hf_tokenizer, self.multilingual, "transcribe", language)
            prompt = self.options.prompt
            if language != ENGLISH and prompt == DISFLUENT_PROMPT:
                prompt = None  # an English style prompt (the offline path drops it too)
            prefix: list[int] = []
            if prompt:
                prefix = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt.strip())]
            self._prompts[language] = [*prefix, *tokenizer.sot_sequence, tokenizer.no_timestamps]
        return self._prompts[language]

    def warm_up(self) -> None:
        """Run one decoding on silence so the first real utterance does not pay for lazy set-up."""
        self._decode(np.zeros(SAMPLE_RATE, dtype=np.float32), self.options.encoder_frames, 10)

    def recognize(self, samples: FloatArray, speech_s: float | None = None, *,
                  language: str | None = None) -> Recognition | None:
        """The text of `samples` (16 kHz mono float32), or None when the guards judge it silence,
        noise or a hallucination. `speech_s` is the voice-active time (for the stock-phrase guard);
        None means the whole length. `language`: decode in this language instead of the options'
        (a multilingual model only)."""
        o = self.options
        language = language or o.language
        if language != o.language and not self.multilingual:
            raise ValueError(f"this recogniser's model is English-only; it cannot decode {language!r}")
        if samples.size < SAMPLE_RATE // 10:
            return None
        if float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < o.min_rms:
            return None
        duration = samples.size / SAMPLE_RATE
        budget = int(duration * o.max_tokens_per_s) + 8
        frames = o.encoder_frames if samples.size <= (o.encoder_frames - 10) * HOP else FULL_WINDOW_FRAMES
        result = self._decode(samples, frames, budget, language)
        if result.compression_ratio > o.compression_ratio_threshold and frames < FULL_WINDOW_FRAMES:
            result = self._decode(samples, FULL_WINDOW_FRAMES, budget, language)
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
        if is_chinese(language):
            from transcription.chinese import to_simplified

            result = replace(result, text=to_simplified(result.text))
        return result

    def detect_language(self, samples: FloatArray) -> tuple[str, float]:
        """(code, probability) of the language of `samples`: one encoder pass on the utterance's
        window (multilingual model only)."""
        if not self.multilingual:
            raise ValueError("an English-only model names no language")
        frames = self.options.encoder_frames if samples.size <= (self.options.encoder_frames - 10) * HOP \
            else FULL_WINDOW_FRAMES
        features = self._features(samples, frames)
        with self._lock:
            encoded = self._model.model.encode(features, to_cpu=False)
            best = self._model.model.detect_language(encoded)[0][0]
        return best[0][2:-2], float(best[1])  # "<|zh|>" -> "zh"

    def _features(self, samples: FloatArray, frames: int) -> ctranslate2.StorageView:
        padded = np.zeros(frames * HOP, dtype=np.float32)
        n = min(samples.size, padded.size)
        padded[:n] = samples[:n]
        mel = self._model.feature_extractor(padded)[:, :frames]
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None], dtype=np.float32))

    def _decode(self, samples: FloatArray, frames: int, budget: int, language: str | None = None) -> Recognition:
        language = language or self.options.language
        prompt = self._prompt if language == self.options.language else self._prompt_for(language)
        features = self._features(samples, frames)
        with self._lock:
            encoded = self._model.model.encode(features, to_cpu=False)
            out = self._model.model.generate(
                encoded,
                [prompt],
                beam_size=self.options.beam_size,
                max_length=len(prompt) + budget,
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
            language=language,
        )


# `auto` keeps an utterance's language for the rest of the call once the base model names it with
# at least this probability on at least `LOCK_MIN_SPEECH_S` of speech (a short "OK" or a name is not
# enough to judge a call by); until then each utterance is decoded in its own detected language.
LOCK_MIN_PROBABILITY = 0.8
LOCK_MIN_SPEECH_S = 2.0


class LiveLanguage:
    """One live call's language: which recogniser decodes each utterance, in which language.

    `requested` is "en" (tiny.en, exactly as before), another Whisper code (the multilingual base in
    that language) or "auto": the base model names each utterance's language (one encoder pass)
    until an utterance of `LOCK_MIN_SPEECH_S` is named with `LOCK_MIN_PROBABILITY`; that language is
    then kept (`language`) and detection stops. English utterances go to tiny.en either way; an
    utterance named with less than `DETECTION_MIN_PROBABILITY` is taken as the language kept so far,
    else English (as offline). The recognisers are made on first use (`english`, `multilingual`:
    the engine's shared ones), so an English call never loads the base model."""

    def __init__(self, requested: str, english: Callable[[], UtteranceRecognizer],
                 multilingual: Callable[[], UtteranceRecognizer]) -> None:
        self.requested = requested
        self._english, self._multilingual = english, multilingual
        self.language: str | None = None if requested == AUTO else requested

    def recognize(self, samples: FloatArray, speech_s: float | None = None) -> Recognition | None:
        language = self.language
        if language is None:
            found, p = self._multilingual().detect_language(samples)
            language = found if p >= DETECTION_MIN_PROBABILITY else ENGLISH
            speech = samples.size / SAMPLE_RATE if speech_s is None else speech_s
            if p >= LOCK_MIN_PROBABILITY and speech >= LOCK_MIN_SPEECH_S:
                self.language = found
        if language == ENGLISH:
            return self._english().recognize(samples, speech_s)
        return self._multilingual().recognize(samples, speech_s, language=language)


def _normalise(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch == " ").split())
