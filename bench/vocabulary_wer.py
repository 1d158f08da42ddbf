"""Custom vocabulary: do the names come out right, and does the rest get worse?

Three configurations of the bundled tiny.en, one run: no vocabulary (baseline), the vocabulary as
faster-whisper `hotwords` (before every window's prompt), and the vocabulary appended to the initial
prompt (first window only). The vocabulary is the sample call's trade names (`VOCABULARY`).

- names: on the bundled discovery call (stereo, channel by channel, and its mono mix), how many of
  the names the script says are recognised (misses) and how many are heard where the script has none
  (insertions); "name error" = (misses + insertions) / names in the script.
- WER: the whole sample call, the real recordings of ../shared/data/asr and pyannote's two-person phone
  call (tests/data/phone) with the same vocabulary switched on (it must not hurt speech that never says
  those names); normalised, fillers dropped.

    .venv/bin/python -m bench.vocabulary_wer
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

from bench.asr_wer import ASR, references, score
from transcription.asr import AsrOptions, transcribe_samples
from transcription.audio import load_audio
from transcription.pipeline import TranscribeOptions, transcribe_file
from transcription.textnorm import normalize_text
from transcription.transcript_io import read_vtt

ROOT = Path(__file__).resolve().parents[1]

SAMPLES = ROOT / "samples"
VOCABULARY = ("Acme", "Gong", "Chorus", "Salesforce")


def name_counts(text: str) -> dict[str, int]:
    norm = normalize_text(text)
    return {t: len(re.findall(rf"\b{re.escape(t.lower())}\b", norm)) for t in VOCABULARY}


def name_errors(reference: str, hypothesis: str) -> tuple[int, int, int]:
    """(misses, insertions, names in the reference)."""
    ref, hyp = name_counts(reference), name_counts(hypothesis)
    misses = sum(max(0, ref[t] - hyp[t]) for t in VOCABULARY)
    inserted = sum(max(0, hyp[t] - ref[t]) for t in VOCABULARY)
    return misses, inserted, sum(ref.values())


def main() -> None:
    configs = {
        "none": AsrOptions(),
        "hotwords": replace(AsrOptions(), vocabulary=VOCABULARY, vocabulary_mode="hotwords"),
        "prompt": replace(AsrOptions(), vocabulary=VOCABULARY, vocabulary_mode="prompt"),
    }
    script = read_vtt(SAMPLES / "discovery_call.vtt")
    names: dict[str, dict[str, tuple[int, int, int]]] = {}
    wer: dict[str, dict[str, tuple[int, int]]] = {}
    heard: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    for cname, opts in configs.items():
        start = time.perf_counter()
        stereo = transcribe_file(SAMPLES / "discovery_call.wav", TranscribeOptions(asr=opts))
        for spk, side in (("S1", "L"), ("S2", "R")):
            ref = " ".join(w.word for w in script.words if w.speaker == spk)
            hyp = " ".join(w.word for w in stereo.words if w.speaker == spk)
            label = f"discovery_call.wav[{side}]"
            names.setdefault(label, {})[cname] = name_errors(ref, hyp)
            wer.setdefault(label, {})[cname] = score(ref, hyp)
        mono = transcribe_file(SAMPLES / "discovery_call_mono.wav", TranscribeOptions(asr=opts, diarize=False))
        ref = " ".join(w.word for w in script.words)
        hyp = " ".join(w.word for w in mono.words)
        names.setdefault("discovery_call_mono.wav", {})[cname] = name_errors(ref, hyp)
        wer.setdefault("discovery_call_mono.wav", {})[cname] = score(ref, hyp)
        heard[cname] = [line.strip() for line in re.split(r"(?<=[.?!])\s+", hyp)
                        if re.search(r"gong|chorus|salesforce|long and|sales force", line, re.I)]
        # A real two-person telephone call, mono (tests/data/phone; its reference starts at 6.6 s).
        phone = ROOT / "tests" / "data" / "phone"
        stm = [line.split(maxsplit=5) for line in (phone / "sample.stm").read_text().splitlines() if line.strip()]
        t = transcribe_file(phone / "sample.wav", TranscribeOptions(asr=opts, diarize=False))
        wer.setdefault("pyannote phone call, mono (real)", {})[cname] = score(
            " ".join(r[5] for r in stm if len(r) > 5), " ".join(w.word for w in t.words if w.start >= 6.5))
        if ASR.is_dir():
            for label, file, channel, reference in references():
                audio = load_audio(ASR / file)
                samples = audio.mean(axis=0) if channel is None else audio[channel]
                words = transcribe_samples(samples, opts)
                wer.setdefault(f"{label} (real)", {})[cname] = score(reference, " ".join(w.word for w in words))
        seconds[cname] = time.perf_counter() - start

    cols = list(configs)
    print("Names (" + ", ".join(VOCABULARY) + ") on the sample call: misses + insertions / names in the script")
    print("| recording | names | " + " | ".join(f"name error {c}" for c in cols) + " |")
    print("|---|---:|" + "---:|" * len(cols))
    totals = {c: [0, 0] for c in cols}
    for label, by in names.items():
        n = by[cols[0]][2]
        cells = []
        for c in cols:
            miss, ins, _ = by[c]
            totals[c][0] += miss + ins
            totals[c][1] += n
            cells.append(f"{(miss + ins) / n:.1%} ({miss} missed, {ins} extra)")
        print(f"| {label} | {n} | " + " | ".join(cells) + " |")
    print("| **pooled** | " + str(totals[cols[0]][1]) + " | "
          + " | ".join(f"**{e / n:.1%}**" for e, n in totals.values()) + " |")
    print()
    print("Word error rate, the same vocabulary switched on")
    print("| recording | ref words | " + " | ".join(f"WER {c}" for c in cols) + " |")
    print("|---|---:|" + "---:|" * len(cols))
    pooled = {"sample call": {c: [0, 0] for c in cols}, "real recordings": {c: [0, 0] for c in cols}}
    for label, by in wer.items():
        group = pooled["real recordings" if label.endswith("(real)") else "sample call"]
        if label == "discovery_call_mono.wav":
            group = pooled.setdefault("sample call, mono mix", {c: [0, 0] for c in cols})
        for c in cols:
            group[c][0] += by[c][0]
            group[c][1] += by[c][1]
        print(f"| {label} | {by[cols[0]][1]} | " + " | ".join(f"{e / n:.1%} ({e})" for e, n in by.values()) + " |")
    for gname, group in pooled.items():
        if group[cols[0]][1]:
            print(f"| **{gname}, pooled** | {group[cols[0]][1]} | "
                  + " | ".join(f"**{e / n:.1%}** ({e})" for e, n in group.values()) + " |")
    print()
    for c in cols:
        print(f"{c}: " + " / ".join(heard[c]))
    print()
    base = pooled["real recordings"]["none"]
    for c in cols[1:]:
        real = pooled["real recordings"][c]
        if base[1]:
            print(f"real recordings, {c} - none: {100 * (real[0] / real[1] - base[0] / base[1]):+.1f} WER points")
    print("seconds per configuration: " + ", ".join(f"{c} {s:.0f}" for c, s in seconds.items()))


if __name__ == "__main__":
    main()
