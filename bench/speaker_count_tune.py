"""The speaker-count rule's tuning table: per call, what the voices say and what the dialogue says.

For every call of the tuning sets (never `heldout-pairs`): the diarizer's own count, and where it
found one speaker, the DER of the one-speaker result and of the best two-speaker split
(`OverlapDiarizer.split(2)`), with the split's dialogue features (`transcription.diarization.count`)
from the words of the bundled speech recogniser. One-voice recordings are the negatives. The
thresholds in `count.py` were read off this table (docs/diarization.md, "Speaker count").

Usage: .venv/bin/python -m bench.speaker_count_tune [--sets dialogue-tuning,generated-extra,generated,ami-train,ami-dev,single]
Words are cached in $TMPDIR/talktrack-count-words (the recogniser is deterministic).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate

from bench.diarization_eval import ROOT, SINGLE_VOICE, Item, load_items, to_annotation
from transcription.asr import AsrOptions, transcribe_samples
from transcription.audio import load_audio
from transcription.diarization import OverlapDiarizer
from transcription.diarization.count import dialogue
from transcription.types import Word

CACHE = Path(tempfile.gettempdir()) / "talktrack-count-words"


def words_of(name: str, audio: np.ndarray) -> list[Word]:
    """The bundled recogniser's words of `audio` (cached by name)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{name}.json"
    if path.exists():
        return [Word(**w) for w in json.loads(path.read_text())]
    words = transcribe_samples(audio, AsrOptions(), speaker="S1")
    path.write_text(json.dumps([{"start": w.start, "end": w.end, "word": w.word, "speaker": w.speaker} for w in words]))
    return words


def one_voice_items() -> list[Item]:
    """One voice with the pauses of a dialogue: each channel of the bundled stereo sample call (one
    side of the conversation, silent while the other talks) and three generated sales calls whose
    two parts one espeak-ng voice reads (tuning voices). The count must stay 1."""
    import soundfile as sf

    from bench.diarization_calls import DIALOGUE_TUNING_SEED, render_sales_calls

    folder = Path(tempfile.gettempdir()) / "talktrack-one-voice"
    folder.mkdir(exist_ok=True)
    out = []
    stereo = load_audio(ROOT / "samples" / "discovery_call.wav")
    for c, side in enumerate(("rep", "customer")):
        wav = folder / f"sample-{side}-channel.wav"
        if not wav.exists():
            sf.write(wav, stereo[c], 16000, subtype="PCM_16")
        out.append(Item("one-voice", wav.stem, wav, Annotation(uri=wav.stem), Timeline()))
    voices = {"one-us-andy": ("en-us+Andy", 45, 155), "one-gb-linda": ("en-gb+linda", 65, 160),
              "one-rp-caleb": ("en-gb-x-rp+caleb", 40, 150)}
    pairs = {name: (v, v) for name, v in voices.items()}
    for call in render_sales_calls(pairs, DIALOGUE_TUNING_SEED + 50):
        out.append(Item("one-voice", call.name, call.wav, Annotation(uri=call.name), Timeline()))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="dialogue-tuning,generated-extra,generated,ami-train,ami-dev,single,one-voice")
    args = ap.parse_args()
    sets = args.sets.split(",")
    if "heldout-pairs" in sets:
        raise SystemExit("heldout-pairs is for reporting only (bench.diarization_eval)")
    items = load_items(sets)
    if "single" in sets:
        for path in SINGLE_VOICE:
            items.append(Item("single", path.stem, path, Annotation(uri=path.stem), Timeline()))
    if "one-voice" in sets:
        items += one_voice_items()
    print(f"{'set':16} {'file':30} {'ref':>3} {'k':>2} {'DER1':>6} {'DER2':>6} {'words':>5} {'chg':>4} {'turns':>5} "
          f"{'aligned':>7} {'q':>3} {'answ':>5} {'minor':>5} {'spread':>6}")
    for it in items:
        audio = load_audio(it.wav).mean(axis=0).astype(np.float32)
        d = OverlapDiarizer()
        step = 30 * 16000
        for i in range(0, max(len(audio), 1), step):
            d.add_audio(audio[i : i + step], i / 16000)
        one = d.finish()
        k = len({s.speaker for s in one})
        n_ref = len(it.reference.labels())
        uem = it.uem if it.uem else Timeline([Segment(0, len(audio) / 16000)])
        der1 = DiarizationErrorRate()(it.reference, to_annotation(one, it.name), uem=uem) if n_ref else float("nan")
        if k != 1:
            print(f"{it.set:16} {it.name:30} {n_ref:3d} {k:2d} {100 * der1:5.1f}%", flush=True)
            continue
        two, _ = d.split(2)
        der2 = DiarizationErrorRate()(it.reference, to_annotation(two, it.name), uem=uem) if n_ref else float("nan")
        f = dialogue(words_of(it.name, audio), two)
        print(f"{it.set:16} {it.name:30} {n_ref:3d} {k:2d} {100 * der1:5.1f}% {100 * der2:5.1f}% {f.words:5d} "
              f"{f.changes:4d} {f.turns:5d} {f.aligned:7.2f} {f.questions:3d} {f.answered:5.2f} {f.minority:5.2f} {d.split_spread or 0:6.2f}", flush=True)


if __name__ == "__main__":
    main()
