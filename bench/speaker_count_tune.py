"""The speaker-count rule's tuning table: per call, what the voices say and what the phrases say.

For every call of the tuning sets (never the `heldout-2` or `heldout-3` sets): the diarizer's own
count, and where the count rule weighs a split (one voice, or two with a small second one), the DER
of the voices' result and of the best two-speaker split from the words' stretches
(`OverlapDiarizer.split`), with the split's voice evidence (`voice_gap`, `pitch_gap`, the two
together `joint`, `range_gap`)
and dialogue features (`transcription.diarization.count`), and what the rule decides with the
default prior of 2 (`--expected-speakers`). The words come from the bundled speech recogniser.
One-voice recordings are the negatives. The bars in `count.py` were read off this table
(docs/diarization.md, "Speaker count").

Usage: .venv/bin/python -m bench.speaker_count_tune [--sets dialogue-tuning,dev-pairs,...] [--all]
  --all: print the split of every call, also where the rule would not weigh one (what the split's
  evidence looks like on two-voice calls the voices already count right).
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

from bench.diarization_sets import ONE_VOICE_SETS, SINGLE_VOICE, Item, load_items, to_annotation
from transcription.asr import AsrOptions, transcribe_samples
from transcription.audio import load_audio
from transcription.diarization import OverlapDiarizer, SpeakerSegment
from transcription.diarization.count import HINTED, dialogue, joint_evidence, settle_count
from transcription.types import Word

CACHE = Path(tempfile.gettempdir()) / "talktrack-count-words"
REPORTING = ("heldout-2", "heldout-2-one-voice", "heldout-3", "heldout-3-one-voice", "phone", "ami-test")
DEFAULT_SETS = "dialogue-tuning,dev-pairs,generated-extra,generated,ami-train,ami-dev,single,one-voice"


def words_of(name: str, audio: np.ndarray) -> list[Word]:
    """The bundled recogniser's words of `audio` (cached by name)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{name}.json"
    if path.exists():
        return [Word(**w) for w in json.loads(path.read_text())]
    words = transcribe_samples(audio, AsrOptions(), speaker="S1")
    path.write_text(json.dumps([{"start": w.start, "end": w.end, "word": w.word, "speaker": w.speaker} for w in words]))
    return words


def der(it: Item, segs: list[SpeakerSegment], uem: Timeline, one_voice: bool) -> str:
    """DER of `segs` against the call's reference, as text ("-" for one-voice calls)."""
    if one_voice or not segs:
        return "     -"
    return f"{100 * DiarizationErrorRate()(it.reference, to_annotation(segs, it.name), uem=uem):5.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=DEFAULT_SETS)
    ap.add_argument("--expected-speakers", type=int, default=2, metavar="N", help="the prior (0: none)")
    ap.add_argument("--all", action="store_true", help="show the split of every call")
    args = ap.parse_args()
    sets = args.sets.split(",")
    if any(s in REPORTING for s in sets):
        raise SystemExit(f"{', '.join(REPORTING)} are for reporting only (bench.diarization_eval)")
    items = load_items(sets)
    if "single" in sets:
        for path in SINGLE_VOICE:
            items.append(Item("single", path.stem, path, Annotation(uri=path.stem), Timeline()))
    print(f"{'set':16} {'file':30} {'ref':>3} {'k':>2} {'DER':>6} {'split':>6} {'decided':>8} {'margin':>6} "
          f"{'voice':>5} {'pitch':>5} {'joint':>5} {'range':>5} {'n':>3} {'turns':>5} {'align':>5} {'q':>3} {'answ':>5} {'minor':>5}")
    for it in items:
        audio = load_audio(it.wav).mean(axis=0).astype(np.float32)
        d = OverlapDiarizer()
        step = 30 * 16000
        for i in range(0, max(len(audio), 1), step):
            d.add_audio(audio[i : i + step], i / 16000)
        voices = d.finish()
        k = len({s.speaker for s in voices})
        one_voice = it.set in ONE_VOICE_SETS or it.set == "single"
        n_ref = 1 if one_voice else len(it.reference.labels())
        uem = it.uem if it.uem else Timeline([Segment(0, len(audio) / 16000)])

        words = words_of(it.name, audio) if k else []
        decision = settle_count(d, voices, words, args.expected_speakers or None)
        weighed = decision.voices is not None
        if not weighed and args.all and words:
            d.split(words)
        v = decision.voices or (d.split_voices if args.all else None)
        head = f"{it.set:16} {it.name:30} {n_ref:3d} {k:2d} {der(it, voices, uem, one_voice)}"
        if v is None:
            print(f"{head} {'':6} {len({s.speaker for s in decision.segments}):>8}", flush=True)
            continue
        two, _ = d.split(words)
        f = dialogue(words, two)
        n_out = len({s.speaker for s in decision.segments})
        tag = f"{n_out}{' split' if decision.split else ' merged' if decision.merged else ''}"
        margin = f"{decision.margin:6.2f}" if decision.margin is not None else "     -"
        print(f"{head} {der(it, two, uem, one_voice)} {tag:>8} {margin} {v.voice_gap:5.2f} {v.pitch_gap:5.2f} "
              f"{joint_evidence(v, HINTED):5.2f} {v.range_gap:5.2f} "
              f"{v.clustered:3d} {f.turns:5d} {f.aligned:5.2f} {f.questions:3d} {f.answered:5.2f} {f.minority:5.2f}",
              flush=True)


if __name__ == "__main__":
    main()
