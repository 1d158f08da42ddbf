"""Word error rate of the speech recogniser with and without the disfluent initial prompt.

Real recordings with human references from ../shared/data/asr (see its SOURCE*.txt), plus the
bundled synthetic discovery call (espeak-ng voices; its script keeps "um"/"uh", so it also shows
whether fillers survive). WER is computed after `normalize_text` (case, punctuation, numbers) with
fillers removed from both sides, since the human references do not write them; fillers are
counted separately. multilingual.mp3 is left out: half of it is German, which tiny.en cannot
transcribe.

    .venv/bin/python -m bench.asr_wer [--beam 5 1]
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from dataclasses import replace
from pathlib import Path

import jiwer

from transcription.asr import AsrOptions, transcribe_samples
from transcription.audio import load_audio
from transcription.pipeline import TranscribeOptions, transcribe_file
from transcription.textnorm import normalize_text
from transcription.transcript_io import read_vtt

ROOT = Path(__file__).resolve().parents[1]

ASR = ROOT / ".." / "shared" / "data" / "asr"
SAMPLES = ROOT / "samples"
# A: a list of fillers; B: OpenAI's prompting-guide example for keeping filler words.
PROMPT_A = "Um, uh, so, like, you know, I mean, I was, uh, thinking, hmm, okay."
PROMPT_B = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."
FILLERS = re.compile(r"\b(um+|uh+|uhm|erm?|hmm+|mm+)\b")


def references() -> list[tuple[str, str, int | None, str]]:
    """(label, file, channel or None for the channel mean, reference text)."""
    items: list[tuple[str, str, int | None, str]] = []
    with open(ASR / "references-lhotse.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            items.append((row["file"], row["file"], 0, row["reference_text"]))
    with open(ASR / "references-faster-whisper.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["file"] == "jfk.flac":
                items.append(("jfk.flac", "jfk.flac", None, row["reference_text"]))
            elif row["file"] == "stereo_diarization.wav":
                channel = 0 if row["channel"].startswith("left") else 1
                label = f"stereo_diarization.wav[{'L' if channel == 0 else 'R'}]"
                items.append((label, "stereo_diarization.wav", channel, row["reference_text"]))
    return items


def score(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word errors, reference words) after normalisation, fillers dropped."""
    ref = normalize_text(reference, drop_fillers=True)
    hyp = normalize_text(hypothesis, drop_fillers=True)
    out = jiwer.process_words(ref, hyp)
    return out.substitutions + out.deletions + out.insertions, len(ref.split())


def fillers(text: str) -> int:
    return len(FILLERS.findall(normalize_text(text)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--beam", type=int, nargs="+", default=[AsrOptions().beam_size], help="beam sizes to compare"
    )
    args = parser.parse_args()
    configs: dict[str, AsrOptions] = {}
    for beam in args.beam:
        suffix = "" if len(args.beam) == 1 else f", beam {beam}"
        configs[f"no prompt{suffix}"] = replace(AsrOptions(), initial_prompt=None, beam_size=beam)
        configs[f"prompt A{suffix}"] = replace(AsrOptions(), initial_prompt=PROMPT_A, beam_size=beam)
        configs[f"prompt B{suffix}"] = replace(AsrOptions(), initial_prompt=PROMPT_B, beam_size=beam)
    items = references()
    call = SAMPLES / "discovery_call.wav"
    call_ref = read_vtt(SAMPLES / "discovery_call.vtt") if call.is_file() else None
    rows: dict[str, dict[str, tuple[int, int, int]]] = {}
    ref_fillers: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for name, opts in configs.items():
        start = time.perf_counter()
        for label, file, channel, ref in items:
            audio = load_audio(ASR / file)
            samples = audio.mean(axis=0) if channel is None else audio[channel]
            hyp = " ".join(w.word for w in transcribe_samples(samples, opts))
            errors, n = score(ref, hyp)
            rows.setdefault(label, {})[name] = (errors, n, fillers(hyp))
            ref_fillers[label] = fillers(ref)
        if call_ref is not None:
            t = transcribe_file(call, TranscribeOptions(asr=opts, stereo_prompt=None))
            for speaker, channel_id in (("S1", "S1"), ("S2", "S2")):
                ref = " ".join(w.word for w in call_ref.words if w.speaker == speaker)
                hyp = " ".join(w.word for w in t.words if w.speaker == channel_id)
                label = f"discovery_call.wav[{'L' if speaker == 'S1' else 'R'}] (TTS)"
                errors, n = score(ref, hyp)
                rows.setdefault(label, {})[name] = (errors, n, fillers(hyp))
                ref_fillers[label] = fillers(ref)
            # The same call mixed to mono: one recognition over both voices, where a prompt that
            # makes Whisper skip the start of a window shows (speakers are not scored here).
            mono = transcribe_file(SAMPLES / "discovery_call_mono.wav", TranscribeOptions(asr=opts, diarize=False))
            ref = " ".join(w.word for w in call_ref.words)
            hyp = " ".join(w.word for w in mono.words)
            label = "discovery_call_mono.wav (TTS)"
            errors, n = score(ref, hyp)
            rows.setdefault(label, {})[name] = (errors, n, fillers(hyp))
            ref_fillers[label] = fillers(ref)
        seconds[name] = time.perf_counter() - start

    names = list(configs)
    print(
        "| recording | ref words | "
        + " | ".join(f"WER {n}" for n in names)
        + " | fillers ref | "
        + " | ".join(f"fillers {n}" for n in names)
        + " |"
    )
    print("|---|---:|" + "---:|" * len(names) + "---:|" + "---:|" * len(names))
    totals = {n: [0, 0] for n in names}
    real_totals = {n: [0, 0] for n in names}
    for label, by_config in rows.items():
        n_ref = next(iter(by_config.values()))[1]
        cells = []
        for n in names:
            errors, words, _ = by_config[n]
            cells.append(f"{errors / words:.1%} ({errors})")
            totals[n][0] += errors
            totals[n][1] += words
            if "(TTS)" not in label:
                real_totals[n][0] += errors
                real_totals[n][1] += words
        filler_cells = [str(by_config[n][2]) for n in names]
        print(
            f"| {label} | {n_ref} | "
            + " | ".join(cells)
            + f" | {ref_fillers[label]} | "
            + " | ".join(filler_cells)
            + " |"
        )
    print(
        "| **real recordings, pooled** | "
        + str(real_totals[names[0]][1])
        + " | "
        + " | ".join(f"**{e / w:.1%}** ({e})" for e, w in real_totals.values())
        + " | | |"
    )
    print(
        "| **all, pooled** | "
        + str(totals[names[0]][1])
        + " | "
        + " | ".join(f"**{e / w:.1%}** ({e})" for e, w in totals.values())
        + " | | |"
    )
    print()
    print("time per configuration (s): " + ", ".join(f"{n}: {s:.0f}" for n, s in seconds.items()))


if __name__ == "__main__":
    main()
