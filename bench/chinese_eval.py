"""Mandarin speech: character error rate and time per audio second of the multilingual Whisper base
against the English-only tiny.en, and a check that `--language auto` leaves English unchanged.

Set (each file's source and licence in docs/language.md, "Chinese speech"): every utterance in
../shared/data/zh with its reference in that folder's Kaldi-style `text` (today one AISHELL-1
sentence). espeak-ng's Mandarin voice is no substitute: this machine's build reads Chinese characters
as tone-numbered pinyin letters, which no model hears as Mandarin (tried: base detected English on all
ten lines of a scripted call).

CER: Simplified characters on both sides, spaces and punctuation removed, Latin letters lower-cased;
corpus-level (edits over reference characters). Each model goes through `transcribe_file` as a user's
recording does (mono, no diarization): base with `auto` (detected) and with `zh` (chosen); tiny.en
with `en`, the only language it has. Time: wall seconds per audio second with the model already
loaded, one decoding at a time on this machine's cores, the median of `REPEATS` runs.

English: every recording in tests/data and the sample call (stereo and mono) transcribed with `auto`
and with `en`; the words (text, times, confidence) must be identical.

    .venv/bin/python -m bench.chinese_eval
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jiwer

from transcription.asr import AsrOptions, load_whisper
from transcription.audio import probe_audio
from transcription.chinese import to_simplified
from transcription.pipeline import TranscribeOptions, transcribe_file

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TALKTRACK_SHARED_DATA", ROOT.parent / "shared" / "data"))
ZH = SHARED / "zh"
REPEATS = 5  # the time is the median of this many runs (the same words each time)
ENGLISH = [*sorted((ROOT / "tests" / "data" / "asr").glob("*.*")), ROOT / "tests" / "data" / "phone" / "sample.wav",
           ROOT / "samples" / "discovery_call.wav", ROOT / "samples" / "discovery_call_mono.wav"]

@dataclass(frozen=True, slots=True)
class Item:
    name: str
    path: Path
    reference: str


def cer_chars(text: str) -> str:
    """What CER compares: Simplified characters, no spaces or punctuation, Latin lower-cased."""
    return "".join(c.lower() for c in to_simplified(text) if unicodedata.category(c)[0] in "LN")


def real_items() -> list[Item]:
    items = []
    for line in (ZH / "text").read_text(encoding="utf-8").splitlines():
        if line.strip():
            utt, *words = line.split()
            items.append(Item(utt, ZH / f"{utt}.wav", "".join(words)))
    return items


def run(items: list[Item], language: str, models_dir: str) -> tuple[float, float, list[str], list[str]]:
    """(CER, seconds per audio second, hypotheses, detected languages) over `items`."""
    refs, hyps, langs = [], [], []
    wall = audio = 0.0
    for item in items:
        options = TranscribeOptions(diarize=False, asr=AsrOptions(language=language, models_dir=models_dir))
        start = time.perf_counter()
        t = transcribe_file(item.path, options)
        wall += time.perf_counter() - start
        audio += probe_audio(item.path).duration_s
        text = "".join(w.word for w in t.words) if t.language == "zh" else " ".join(w.word for w in t.words)
        refs.append(cer_chars(item.reference))
        hyps.append(cer_chars(text))
        langs.append(t.language)
    error = jiwer.cer([r for r in refs], [h or "∅" for h in hyps])  # "∅": an empty hypothesis, all deleted
    return float(error), wall / audio, hyps, langs


def compute(models_dir: str) -> list[tuple[str, float]]:
    """Seconds per audio second of each model on the same real English speech (language en), the
    cost comparison that does not depend on what either model makes of Mandarin."""
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
        out.append((label, statistics.median(times) / audio))
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
    models_dir = str(Path(tempfile.gettempdir()) / "talktrack-bench-models")
    # Load (and join) first, so no timing below includes a model load.
    load_whisper(AsrOptions(language="zh", models_dir=models_dir))
    load_whisper(AsrOptions(language="en"))
    items = real_items()
    for language in ("auto", "zh", "en"):  # warm-up: a process's first decodings are slower
        run(items[:1], language, models_dir)
    chars = sum(len(cer_chars(i.reference)) for i in items)
    audio = sum(probe_audio(i.path).duration_s for i in items)
    print(f"{len(items)} utterance(s), {chars} characters, {audio:.1f} s of audio\n")
    print(f"{'model / language':<26} {'CER':>7} {'s per audio s':>13}  detected")
    for label, language in (("base, auto", "auto"), ("base, zh", "zh"), ("tiny.en, en (baseline)", "en")):
        runs = [run(items, language, models_dir) for _ in range(REPEATS)]
        error, _, hyps, langs = runs[0]
        rtf = statistics.median(r[1] for r in runs)
        detected = ", ".join(f"{lang}×{langs.count(lang)}" for lang in sorted(set(langs)))
        print(f"{label:<26} {error:>6.1%} {rtf:>13.3f}  {detected}")
        for item, hyp in zip(items, hyps, strict=True):
            print(f"    {item.name}: {hyp or '(nothing)'}   [reference {cer_chars(item.reference)}]")
    print("\nCompute: the same 22.7 s of English speech (jfk.flac, LibriSpeech 2412-153948-0000), language en")
    rows = compute(models_dir)
    for label, rtf in rows:
        print(f"  {label:<8} {rtf:.3f} s per audio second  ({rtf / rows[0][1]:.2f}× tiny.en)")
    print("\nEnglish: --language auto against en (words, times and confidences compared)")
    print(f"  {'file':<30} {'audio s':>7}  detected {'words':>5}  {'auto = en':<9} {'auto s':>6} {'en s':>6}")
    for name, seconds, detected, same, n, auto_s, en_s in english_unchanged(models_dir):
        print(f"  {name:<30} {seconds:>7.1f}  {detected:<8} {n:>5}  {'identical' if same else 'DIFFERENT':<9} "
              f"{auto_s:>6.2f} {en_s:>6.2f}")


if __name__ == "__main__":
    main()
