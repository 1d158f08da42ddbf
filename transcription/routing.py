"""Which language each stretch of a call is spoken in, and each stretch through the model for it.

With a chosen language (`--language en`, `zh`, ...) a block of the pipeline is one span in that
language. With `auto`, each block's speech is cut into stretches of about
`TranscribeOptions.language_stretch_s` seconds (at pauses) and the multilingual Whisper base names
each stretch's language from its first 30 s of speech (one encoder pass per stretch); a stretch
named with less than `DETECTION_MIN_PROBABILITY` keeps the language before it, and a later stretch
switches away from it only at `SWITCH_MIN_PROBABILITY` (an accented stretch of an English call is
not worth a model that reads English worse). Neighbouring stretches of one language are one span;
English spans go to tiny.en, others to the multilingual model. A block in one language is
transcribed exactly as with that language chosen.

Shorter switches are caught afterwards: speech of at least `unheard.MIN_UNHEARD_S` that gave no
words (tiny.en writes nothing for German or Mandarin) is named by the multilingual model and, when
that is another language, transcribed again in it. Every stretch not in the call's main language is
listed in the transcript's warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps

from transcription.asr import (
    DETECTION_MIN_PROBABILITY,
    DISFLUENT_PROMPT,
    AsrOptions,
    detector_options,
    load_whisper,
    transcribe_samples,
)
from transcription.audio import SAMPLE_RATE
from transcription.display import clock
from transcription.languages import AUTO, ENGLISH, language_name
from transcription.types import Word
from transcription.unheard import UnheardSpeech

FloatArray = npt.NDArray[np.float32]
_DETECT_S = 30.0  # Whisper's window: what one detection reads
SWITCH_MIN_PROBABILITY = 0.8
# A stretch transcribed in another language (`name`, `code`) than the call's main one (`main`, a
# name), with the detector's `probability`; the second form for a stretch whose language was kept
# from the one before it, not detected.
OTHER_LANGUAGE_WARNING = ("speech in {name} ({code}, p={probability:.2f}) from {start} to {end} ({seconds:.0f} s) "
                          "was transcribed in {name}; the call's main language is {main}")
OTHER_LANGUAGE_KEPT_WARNING = ("speech in {name} ({code}) from {start} to {end} ({seconds:.0f} s) was transcribed "
                               "in {name}; the call's main language is {main}")


@dataclass(frozen=True, slots=True)
class LanguageSpan:
    """From `start` to `end` seconds (of the recording) the speech is in `language`;
    `probability` is the detector's, None where the language was chosen, not detected."""

    start: float
    end: float
    language: str
    probability: float | None = None


def _stretches(regions: list[dict[str, int]], n: int, stretch_s: float) -> list[tuple[int, int]]:
    """Cut [0, n) samples into stretches of about `stretch_s`, each ending in the middle of a pause
    between two speech `regions`; the first starts at 0, the last ends at `n`."""
    target = int(stretch_s * SAMPLE_RATE)
    cuts, start = [0], 0
    for here, after in zip(regions, regions[1:], strict=False):
        if here["end"] - start >= target:
            start = (here["end"] + after["start"]) // 2
            cuts.append(start)
    return list(zip(cuts, [*cuts[1:], n], strict=True))


def _merge(spans: list[LanguageSpan]) -> list[LanguageSpan]:
    merged: list[LanguageSpan] = []
    for s in spans:
        if merged and merged[-1].language == s.language:
            merged[-1] = replace(merged[-1], end=s.end)
        else:
            merged.append(s)
    return merged


def _join_same_language(stretches: list[UnheardSpeech], gap_s: float = 2.0) -> list[UnheardSpeech]:
    """Neighbouring stretches of one named language, less than `gap_s` apart, as one."""
    joined: list[UnheardSpeech] = []
    for s in sorted(stretches, key=lambda x: x.start):
        last = joined[-1] if joined else None
        if last is not None and s.language is not None and s.language == last.language and s.start - last.end < gap_s:
            joined[-1] = replace(last, end=s.end, probability=max(last.probability or 0, s.probability or 0))
        else:
            joined.append(s)
    return joined


class LanguageRouter:
    """Languages and models of one call. `num_workers`, `cpu_threads`: as `load_whisper`'s (the
    stereo path decodes both channels at once)."""

    def __init__(self, asr: AsrOptions, stretch_s: float, *, num_workers: int = 1,
                 cpu_threads: int | None = None) -> None:
        self.asr = asr
        self.auto = asr.language == AUTO
        self.stretch_s = stretch_s
        self.num_workers, self.cpu_threads = num_workers, cpu_threads
        detector = detector_options(asr) if self.auto else None
        self.detector = load_whisper(detector) if detector is not None else None
        self.previous = ENGLISH  # what an undetectable first stretch is taken as
        self.detected = False  # whether any stretch was named yet
        self.spans: list[LanguageSpan] = []  # every span transcribed, rescued stretches included

    def model_for(self, language: str) -> WhisperModel:
        return load_whisper(replace(self.asr, language=language), num_workers=self.num_workers,
                            cpu_threads=self.cpu_threads)

    def naming_model(self, fallback: WhisperModel) -> WhisperModel:
        """The model that names the language of speech that gave no words."""
        return self.detector or fallback

    def block_spans(self, mono: FloatArray, offset_s: float) -> list[LanguageSpan]:
        """The spans of one block (mono, starting at `offset_s`), covering all of it; recorded for
        `language` and `warnings`."""
        spans = self._block_spans(mono, offset_s)
        self.spans.extend(spans)
        return spans

    def _block_spans(self, mono: FloatArray, offset_s: float) -> list[LanguageSpan]:
        end_s = offset_s + mono.size / SAMPLE_RATE
        if not self.auto:
            return [LanguageSpan(offset_s, end_s, self.asr.language)]
        if self.detector is None:  # an English-only --model: everything is English
            return [LanguageSpan(offset_s, end_s, ENGLISH)]
        regions = get_speech_timestamps(mono, VadOptions(min_silence_duration_ms=500))
        spans: list[LanguageSpan] = []
        for a, b in _stretches(regions, mono.size, self.stretch_s):
            inside = [r for r in regions if a <= r["start"] < b]
            language, probability = self.previous, None
            if inside:
                speech = np.concatenate([mono[r["start"]: min(r["end"], b)] for r in inside])
                found, p, _ = self.detector.detect_language(audio=speech[: int(_DETECT_S * SAMPLE_RATE)])
                bar = SWITCH_MIN_PROBABILITY if self.detected and found != self.previous else \
                    DETECTION_MIN_PROBABILITY
                if p >= bar:
                    language, probability = str(found), float(p)
                    self.detected = True
            self.previous = language
            spans.append(LanguageSpan(offset_s + a / SAMPLE_RATE, offset_s + b / SAMPLE_RATE, language,
                                      probability))
        return _merge(spans)

    def transcribe(
        self, samples: FloatArray, spans: list[LanguageSpan], asr: AsrOptions, *, speaker: str,
        offset_s: float, on_progress: Callable[[float], None] | None = None,
    ) -> list[Word]:
        """`samples` (one channel of the block at `offset_s`) span by span, each in its language."""
        words: list[Word] = []
        for i, span in enumerate(spans):
            a = 0 if i == 0 else round((span.start - offset_s) * SAMPLE_RATE)
            b = samples.size if i == len(spans) - 1 else round((span.end - offset_s) * SAMPLE_RATE)
            options = replace(asr, language=span.language)
            if span.language != ENGLISH and options.initial_prompt == DISFLUENT_PROMPT:
                options = replace(options, initial_prompt=None)  # an English style prompt
            words.extend(transcribe_samples(samples[a:b], options, speaker=speaker, offset_s=span.start,
                                            model=self.model_for(span.language), on_progress=on_progress))
        return words

    def rescue(
        self, samples: FloatArray, offset_s: float, spans: list[LanguageSpan], unheard: list[UnheardSpeech],
        asr: AsrOptions, *, speaker: str,
    ) -> tuple[list[Word], list[UnheardSpeech]]:
        """With `auto`: the `unheard` stretches named as another language than their span's (with at
        least `SWITCH_MIN_PROBABILITY`: noise gets a language too, with less), transcribed in it. Returns their words and the stretches still unheard."""
        if not self.auto or self.detector is None:
            return [], unheard
        words: list[Word] = []
        still: list[UnheardSpeech] = []
        for s in _join_same_language(unheard):
            spoken = next((p.language for p in spans if p.start <= s.start < p.end), self.previous)
            if s.language is None or s.language == spoken or (s.probability or 0) < SWITCH_MIN_PROBABILITY:
                still.append(s)
                continue
            a, b = round((s.start - offset_s) * SAMPLE_RATE), round((s.end - offset_s) * SAMPLE_RATE)
            span = LanguageSpan(s.start, s.end, s.language, s.probability)
            found = self.transcribe(samples[a:b], [span], asr, speaker=speaker, offset_s=s.start)
            self.spans.append(span)
            words.extend(found)
            if not found:
                still.append(s)
        return words, still

    def language(self) -> str:
        """The call's main language: the one of the most time; the chosen one, or English, when
        nothing was detected."""
        if not self.auto:
            return self.asr.language
        totals: dict[str, float] = {}
        for s in self.spans:
            if s.probability is not None:
                totals[s.language] = totals.get(s.language, 0.0) + s.end - s.start
        return max(totals, key=lambda k: totals[k]) if totals else ENGLISH

    def warnings(self) -> list[str]:
        """One line per stretch transcribed in another language than the call's main one."""
        main = self.language()
        out = []
        for s in sorted({s for s in self.spans if s.language != main}, key=lambda s: s.start):
            template = OTHER_LANGUAGE_KEPT_WARNING if s.probability is None else OTHER_LANGUAGE_WARNING
            out.append(template.format(name=language_name(s.language), code=s.language, probability=s.probability,
                                       start=clock(s.start), end=clock(s.end), seconds=s.end - s.start,
                                       main=language_name(main)))
        return out
