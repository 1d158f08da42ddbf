"""Mandarin speech: character error rate and time per audio second of the multilingual Whisper base
against the English-only tiny.en, and a check that `--language auto` leaves English unchanged.

Set (`bench/zh_speech.py`): every utterance of `bench/data/zh` (in the repository: thirteen read
AISHELL-1 sentences, Apache-2.0, each file's source in that folder's SOURCES.md) and of
../shared/data/zh when present (today the same AISHELL-1 sentence as BAC009S0764W0121, counted once),
with their references in each folder's Kaldi-style `text`. Scored separately by kind (`read`,
`conversational`, from SOURCES.md; a file no SOURCES.md lists is `unlabelled`, on its own line), with
the utterance and character counts beside each score. espeak-ng's Mandarin voice is no substitute:
this machine's build reads Chinese characters as tone-numbered pinyin letters, which no model hears
as Mandarin (tried: base detected English on all ten lines of a scripted call).

CER: Simplified characters on both sides, spaces and punctuation removed, Latin letters lower-cased;
corpus-level per kind (edits over reference characters). Each model goes through `transcribe_file`
as a user's recording does (mono, no diarization): base with `auto` (detected) and with `zh`
(chosen); tiny.en with `en`, the only language it has. Time: wall seconds per audio second with the
model already loaded, one decoding at a time on this machine's cores, the median of `ZH_REPEATS`
runs over the set (the words are the same each run; CER is from the first).

English: every recording in tests/data and the sample call (stereo and mono) transcribed with `auto`
and with `en`; the words (text, times, confidence) must be identical.

    .venv/bin/python -m bench.chinese_eval
    .venv/bin/python -m bench.chinese_eval --compute-type int8   # also base in int8 (live calls' arithmetic)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import jiwer

from bench.zh_speech import KINDS, UNLABELLED, Item, load_items
from transcription.asr import AsrOptions, default_compute_type, load_whisper, resolve_model_path
from transcription.audio import probe_audio
from transcription.chinese import to_simplified
from transcription.pipeline import TranscribeOptions, transcribe_file

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5  # the English compute time is the median of this many runs (the same words each time)
ZH_REPEATS = 3  # the Mandarin set's time is the median of this many runs over the whole set
ENGLISH = [*sorted((ROOT / "tests" / "data" / "asr").glob("*.*")), ROOT / "tests" / "data" / "phone" / "sample.wav",
           ROOT / "samples" / "discovery_call.wav", ROOT / "samples" / "discovery_call_mono.wav"]
ALL = "all"


@dataclass(frozen=True, slots=True)
class Decoded:
    item: Item
    hypothesis: str  # as CER compares it (`cer_chars`)
    language: str  # detected (or chosen)
    wall_s: float
    audio_s: float


@dataclass(frozen=True, slots=True)
class Score:
    kind: str
    utterances: int
    characters: int  # reference characters, as CER counts them
    cer: float | None  # None: no utterance of this kind
    seconds_per_audio_second: float | None


def cer_chars(text: str) -> str:
    """What CER compares: Simplified characters, no spaces or punctuation, Latin lower-cased."""
    return "".join(c.lower() for c in to_simplified(text) if unicodedata.category(c)[0] in "LN")


def decode(items: list[Item], language: str, models_dir: str, compute_type: str | None = None) -> list[Decoded]:
    """Transcribe every item as a user's recording is (mono, no diarization), timing each;
    `compute_type` other than the model's own (float32 for base, int8 for tiny.en) to compare the arithmetic."""
    out = []
    asr = AsrOptions(language=language, models_dir=models_dir)
    if compute_type is not None:
        asr = replace(asr, compute_type=compute_type)
    for item in items:
        options = TranscribeOptions(diarize=False, asr=asr)
        start = time.perf_counter()
        t = transcribe_file(item.path, options)
        wall = time.perf_counter() - start
        text = "".join(w.word for w in t.words) if t.language == "zh" else " ".join(w.word for w in t.words)
        out.append(Decoded(item, cer_chars(text), t.language, wall, probe_audio(item.path).duration_s))
    return out


def score(decoded: list[Decoded], kind: str) -> Score:
    """Corpus-level CER and seconds per audio second over the utterances of `kind` (`ALL`: every one)."""
    chosen = [d for d in decoded if kind == ALL or d.item.kind == kind]
    refs = [cer_chars(d.item.reference) for d in chosen]
    if not chosen:
        return Score(kind, 0, 0, None, None)
    error = jiwer.cer(refs, [d.hypothesis or "∅" for d in chosen])  # "∅": an empty hypothesis, all deleted
    return Score(kind, len(chosen), sum(map(len, refs)), float(error),
                 sum(d.wall_s for d in chosen) / sum(d.audio_s for d in chosen))


def kinds_of(items: list[Item]) -> list[str]:
    """The kinds to report: read and conversational always (a kind with no data says so), unlabelled
    files when there are any, then the whole set."""
    return [*KINDS, *([UNLABELLED] if any(i.kind == UNLABELLED for i in items) else []), ALL]


def evaluate(items: list[Item], language: str, models_dir: str, repeats: int = ZH_REPEATS,
             compute_type: str | None = None) -> tuple[list[Score], list[Decoded]]:
    """Per-kind scores (CER from the first run, time the median over `repeats` runs) and the first
    run's decodings."""
    runs = [decode(items, language, models_dir, compute_type) for _ in range(repeats)]
    scores = []
    for kind in kinds_of(items):
        per_run = [score(r, kind) for r in runs]
        rtfs = [s.seconds_per_audio_second for s in per_run if s.seconds_per_audio_second is not None]
        first = per_run[0]
        scores.append(Score(kind, first.utterances, first.characters, first.cer,
                            statistics.median(rtfs) if rtfs else None))
    return scores, runs[0]


def compute(models_dir: str) -> list[tuple[str, str, float]]:
    """(model, arithmetic, seconds per audio second) of each model on the same real English speech
    (language en), each in its own arithmetic as the product runs it offline: the cost comparison
    that does not depend on what either model makes of Mandarin."""
    from transcription.multilingual import multilingual_model_path

    clips = [ROOT / "tests" / "data" / "asr" / name for name in ("jfk.flac", "2412-153948-0000.flac")]
    audio = sum(probe_audio(c).duration_s for c in clips)
    out = []
    for label, model in (("tiny.en", None), ("base", str(multilingual_model_path(models_dir)))):
        options = TranscribeOptions(diarize=False, asr=AsrOptions(language="en", model=model))
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            for clip in clips:
                transcribe_file(clip, options)
            times.append(time.perf_counter() - start)
        out.append((label, default_compute_type(resolve_model_path(model)), statistics.median(times) / audio))
    return out


def english_unchanged(models_dir: str) -> list[tuple[str, float, str, bool, int, float, float]]:
    """(file, seconds, detected, same words, words, seconds with auto, seconds with en) per file."""
    rows = []
    for path in ENGLISH:
        start = time.perf_counter()
        t_auto = transcribe_file(path, TranscribeOptions(diarize=False, asr=AsrOptions(language="auto",
                                                                                     models_dir=models_dir)))
        auto_s = time.perf_counter() - start
        start = time.perf_counter()
        t_en = transcribe_file(path, TranscribeOptions(diarize=False, asr=AsrOptions(language="en")))
        en_s = time.perf_counter() - start
        rows.append((path.name, probe_audio(path).duration_s, t_auto.language, t_auto.words == t_en.words,
                     len(t_en.words), auto_s, en_s))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compute-type", action="append", default=[], metavar="TYPE",
                        help="also run base with language zh in this CTranslate2 compute type (int8, "
                             "int8_float32 ...) beside its own float32; repeatable")
    args = parser.parse_args()
    models_dir = str(Path(tempfile.gettempdir()) / "talktrack-bench-models")
    # Load (and join) first, so no timing below includes a model load.
    load_whisper(AsrOptions(language="zh", models_dir=models_dir))
    load_whisper(AsrOptions(language="en"))
    items = load_items()
    for language in ("auto", "zh", "en"):  # warm-up: a process's first decodings are slower
        decode(items[:1], language, models_dir)
    audio = sum(probe_audio(i.path).duration_s for i in items)
    folders = sorted({str(i.path.parent.relative_to(ROOT.parent)) for i in items})
    print(f"Mandarin set: {len(items)} utterances, {audio:.1f} s of audio, from {', '.join(folders)}\n")
    print(f"{'model / language':<24} {'kind':<15} {'utts':>4} {'chars':>5} {'CER':>7} {'s per audio s':>13}  detected")
    runs: list[tuple[str, str, str | None]] = [("base, auto", "auto", None), ("base, zh", "zh", None),
                                               ("tiny.en, en (baseline)", "en", None)]
    runs += [(f"base, zh, {ct}", "zh", ct) for ct in args.compute_type]
    for label, language, compute_type in runs:
        scores, decoded = evaluate(items, language, models_dir, compute_type=compute_type)
        langs = [d.language for d in decoded]
        detected = ", ".join(f"{lang}×{langs.count(lang)}" for lang in sorted(set(langs)))
        for n, sc in enumerate(scores):
            cer_text = "—" if sc.cer is None else f"{sc.cer:.1%}"
            rtf_text = "—" if sc.seconds_per_audio_second is None else f"{sc.seconds_per_audio_second:.3f}"
            print(f"{label if n == 0 else '':<24} {sc.kind:<15} {sc.utterances:>4} {sc.characters:>5} {cer_text:>7} "
                  f"{rtf_text:>13}  {detected if sc.kind == ALL else ''}")
        for d in decoded:
            print(f"    {d.item.name} ({d.item.kind}): {d.hypothesis or '(nothing)'}   "
                  f"[reference {cer_chars(d.item.reference)}]")
    print("\nCompute: the same 22.7 s of English speech (jfk.flac, LibriSpeech 2412-153948-0000), language en")
    rows = compute(models_dir)
    for label, arithmetic, rtf in rows:
        print(f"  {label:<8} {arithmetic:<8} {rtf:.3f} s per audio second  ({rtf / rows[0][2]:.2f}× tiny.en)")
    print("\nEnglish: --language auto against en (words, times and confidences compared)")
    print(f"  {'file':<30} {'audio s':>7}  detected {'words':>5}  {'auto = en':<9} {'auto s':>6} {'en s':>6}")
    for name, seconds, detected, same, n, auto_s, en_s in english_unchanged(models_dir):
        print(f"  {name:<30} {seconds:>7.1f}  {detected:<8} {n:>5}  {'identical' if same else 'DIFFERENT':<9} "
              f"{auto_s:>6.2f} {en_s:>6.2f}")


if __name__ == "__main__":
    main()
