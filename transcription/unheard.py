"""Speech the recogniser gave no words for: usually another language (Whisper tiny.en, used for
English, is English-only and outputs nothing, or a few stray words, for German, Mandarin...),
sometimes noise.

Per block of the pipeline, Silero VAD (bundled with faster-whisper) finds the speech; stretches of it
at least `MIN_UNHEARD_S` long with no recognised word near them are found. With a multilingual
Whisper model (the language detector of `--language auto`, or a multilingual `--model`), Whisper's
own language detection names the language of each stretch; with `auto` such a stretch is then
transcribed in its language (`transcription.routing`), and only what is left is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps

from transcription.audio import SAMPLE_RATE
from transcription.display import clock
from transcription.languages import LANGUAGE_NAMES
from transcription.types import Word

MIN_UNHEARD_S = 5.0  # shorter wordless speech is common (laughter, crosstalk, a cough)
WORD_REACH_S = 1.5  # speech this close to a recognised word counts as heard
LANGUAGE_MIN_PROBABILITY = 0.5
# The warnings of `unheard_warnings`: speech in a named language (`name`, `code`, the detector's
# `probability`) left untranscribed, or wordless speech whose language was not named; each with the
# call's language detected ("auto": no model could read it) or chosen.
UNHEARD_LANGUAGE_AUTO_WARNING = ("speech in {name} ({code}, p={probability:.2f}) from {start} to {end} "
                                 "({seconds:.0f} s) was not transcribed: the speech model gave no words for it")
UNHEARD_LANGUAGE_WARNING = ("speech in {name} ({code}, p={probability:.2f}) from {start} to {end} ({seconds:.0f} s) "
                            "was not transcribed: it is not the language chosen for the call (with the language set "
                            "to auto, each language is transcribed)")
UNHEARD_AUTO_WARNING = ("speech from {start} to {end} ({seconds:.0f} s) gave no words: noise, or speech in a language "
                        "the speech models could not read")
UNHEARD_WARNING = ("speech from {start} to {end} ({seconds:.0f} s) gave no words: it may be another language, or "
                   "noise (with the language set to auto, other languages are detected and transcribed)")


@dataclass(frozen=True, slots=True)
class UnheardSpeech:
    start: float
    end: float
    language: str | None = None  # Whisper's code when a multilingual model named it
    probability: float | None = None


def unheard_speech(
    samples: npt.NDArray[np.float32], offset_s: float, words: Sequence[Word],
    model: WhisperModel | None = None,
) -> list[UnheardSpeech]:
    """Stretches of speech in `samples` (mono, 16 kHz, starting at `offset_s`) that no word in `words`
    covers. `model`: when multilingual, each stretch's language is detected."""
    regions = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=500))
    times = sorted((w.start, w.end) for w in words)
    out: list[UnheardSpeech] = []
    for region in regions:
        start, end = offset_s + region["start"] / SAMPLE_RATE, offset_s + region["end"] / SAMPLE_RATE
        for a, b in _uncovered(start, end, times):
            if b - a < MIN_UNHEARD_S:
                continue
            language, probability = None, None
            if model is not None and model.model.is_multilingual:
                clip = samples[int((a - offset_s) * SAMPLE_RATE): int((b - offset_s) * SAMPLE_RATE)]
                language, probability, _ = model.detect_language(audio=clip)
            out.append(UnheardSpeech(a, b, language, probability))
    return out


def _uncovered(start: float, end: float, times: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    cursor = start
    for w_start, w_end in times:
        if w_end + WORD_REACH_S < cursor:
            continue
        if w_start - WORD_REACH_S > end:
            break
        if w_start - WORD_REACH_S > cursor:
            spans.append((cursor, w_start - WORD_REACH_S))
        cursor = max(cursor, w_end + WORD_REACH_S)
    if cursor < end:
        spans.append((cursor, end))
    return spans


def unheard_warnings(stretches: Sequence[UnheardSpeech], *, detected: bool = False) -> list[str]:
    """One warning per stretch (adjacent ones of the same language merged), in time order.
    `detected`: the call's language was detected ("auto"), so the stretches left are those no model
    could read; otherwise the warning says that "auto" would name and transcribe other languages."""
    merged: list[UnheardSpeech] = []
    for s in sorted(stretches, key=lambda x: x.start):
        if merged and s.start - merged[-1].end < 2.0 and s.language == merged[-1].language:
            merged[-1] = UnheardSpeech(merged[-1].start, s.end, s.language, merged[-1].probability)
        else:
            merged.append(s)
    out: list[str] = []
    for s in merged:
        span = {"start": clock(s.start), "end": clock(s.end), "seconds": s.end - s.start}
        if s.language is not None and s.language != "en" and (s.probability or 0) >= LANGUAGE_MIN_PROBABILITY:
            template = UNHEARD_LANGUAGE_AUTO_WARNING if detected else UNHEARD_LANGUAGE_WARNING
            out.append(template.format(name=LANGUAGE_NAMES.get(s.language, s.language), code=s.language,
                                       probability=s.probability, **span))
        else:
            out.append((UNHEARD_AUTO_WARNING if detected else UNHEARD_WARNING).format(**span))
    return out
