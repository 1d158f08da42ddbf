"""The diarization evaluation sets: real recordings with reference turns and generated calls
(`bench.diarization_calls`), as `Item`s for `bench.diarization_eval` and the benches built on it
(`speaker_count_tune`, `speaker_count_ab`, `diarization_sweep`, `interruptions_eval`).

Data (from ../shared/data/diarization and generated calls):
  phone      the pyannote two-person telephone sample, scored from 6.6 s (its references start there)
  ami-train / ami-dev / ami-test   the 13 AMI meeting excerpts with their UEM (0-30 s each)
  single     jfk.flac and a LibriSpeech clip (one voice each): speaker count only
  generated  three espeak-ng two-voice calls (bench/diarization_calls.py) and the bundled sample
             call's mono mix (samples/discovery_call_mono.wav, turns from its script)
  generated-extra  three more espeak-ng pairs (`TUNING_PAIRS`), same dialogue; not in the default sets
  dialogue-tuning  12 generated sales calls, each by its own espeak-ng pair (`DIALOGUE_TUNING_PAIRS`):
             the speaker-count rule was chosen on them (bench/speaker_count_tune.py)
  dev-pairs  24 generated sales calls by the pairs `DEV_PAIRS` (the first count rule's held-out set,
             read once; tuning since its failures were read)
  one-voice  one voice with the pauses of a dialogue (tuning): each channel of the bundled stereo
             sample call, and generated sales calls whose two parts one espeak-ng voice reads
             (`ONE_VOICE`); speaker count only (must stay 1)
  heldout-2  26 generated sales calls by voice pairs whose variants, pitches and speeds appear
             nowhere else (`HELDOUT2_PAIRS`): reporting only
  heldout-2-one-voice  6 sales calls one new voice reads (`HELDOUT2_ONE_VOICE`): reporting only,
             speaker count only
  heldout-3 / heldout-3-one-voice  10 pairs and 4 single voices of variants, pitches and speeds used
             nowhere else (`HELDOUT3_PAIRS`, `HELDOUT3_ONE_VOICE`), defined after the count rule's
             joint bar was fixed: reporting only
  echo-tuning  8 generated sales calls where one side's voice comes back delayed and fainter
             (`ECHO_TUNING_PAIRS`, `ECHO_TUNING_ECHO`: tuning voices, 60-250 ms, gain 0.4-0.95): the
             echo-shadow rule (`transcription/diarization/shadows.py`) was chosen on them
  heldout-4  10 echo calls by held-out voices at pitches and speeds used nowhere else, other delays
             and gains (`HELDOUT4_PAIRS`, `HELDOUT4_ECHO`): reporting only
Tune only on ami-train, ami-dev, generated, generated-extra, dialogue-tuning, dev-pairs, one-voice
and echo-tuning; phone, ami-test and the heldout-2, heldout-3 and heldout-4 sets are for reporting.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path

import soundfile as sf
from pyannote.core import Annotation, Segment, Timeline

from bench.diarization_calls import (
    DEV_PAIRS,
    DEV_SEED,
    DIALOGUE_TUNING_PAIRS,
    DIALOGUE_TUNING_SEED,
    ECHO_TUNING_ECHO,
    ECHO_TUNING_PAIRS,
    ECHO_TUNING_SEED,
    HELDOUT2_ONE_VOICE,
    HELDOUT2_ONE_VOICE_SEED,
    HELDOUT2_PAIRS,
    HELDOUT2_SEED,
    HELDOUT3_ONE_VOICE,
    HELDOUT3_ONE_VOICE_SEED,
    HELDOUT3_PAIRS,
    HELDOUT3_SEED,
    HELDOUT4_ECHO,
    HELDOUT4_PAIRS,
    HELDOUT4_SEED,
    ONE_VOICE,
    ONE_VOICE_SEED,
    TUNING_PAIRS,
    GeneratedCall,
    generate_calls,
    render_sales_calls,
)
from transcription.audio import load_audio
from transcription.diarization import SAMPLE_RATE, SpeakerSegment

ROOT = Path(__file__).resolve().parents[1]

DATA = ROOT / ".." / "shared" / "data" / "diarization"
AMI = DATA / "ami-excerpts"
# One voice each: the speaker count must come out as exactly 1 (no DER: no reference turns).
SINGLE_VOICE = [DATA / ".." / "asr" / "jfk.flac", DATA / ".." / "asr" / "2412-153948-0000.flac"]
ONE_VOICE_SETS = ("one-voice", "heldout-2-one-voice", "heldout-3-one-voice")  # speaker count only: must be 1
TWO_PERSON_SETS = ("phone", "generated", "generated-extra", "dialogue-tuning", "dev-pairs", "heldout-2", "heldout-3")


@dataclasses.dataclass
class Item:
    set: str
    name: str
    wav: Path
    reference: Annotation
    uem: Timeline


def _rttm(path: Path, uri: str | None = None) -> dict[str, Annotation]:
    out: dict[str, Annotation] = {}
    for line in path.read_text().splitlines():
        f = line.split()
        if not f or f[0] != "SPEAKER" or (uri is not None and f[1] != uri):
            continue
        ann = out.setdefault(f[1], Annotation(uri=f[1]))
        start, dur = float(f[3]), float(f[4])
        ann[Segment(start, start + dur), len(ann)] = f[7]
    return out


def _call_item(tag: str, call: GeneratedCall) -> Item:
    """A generated call with its scripted turns as the reference, scored over its whole length."""
    ann = Annotation(uri=call.name)
    for i, (start, end, speaker) in enumerate(call.turns):
        ann[Segment(start, end), i] = speaker
    return Item(tag, call.name, call.wav, ann, Timeline([Segment(0, call.duration_s)]))


def load_items(sets: list[str]) -> list[Item]:
    items: list[Item] = []
    if "phone" in sets:
        d = DATA / "pyannote-sample"
        ref = _rttm(d / "sample.rttm")["sample"]
        items.append(Item("phone", "pyannote-sample", d / "sample.wav", ref, Timeline([Segment(6.6, 30.0)])))
    for split, tag in (("train", "ami-train"), ("development", "ami-dev"), ("test", "ami-test")):
        if tag not in sets:
            continue
        refs = _rttm(AMI / f"debug.{split}.rttm")
        for line in (AMI / f"debug.{split}.uem").read_text().splitlines():
            uri, _, start, end = line.split()
            uem = Timeline([Segment(float(start), float(end))])
            items.append(Item(tag, uri, AMI / f"{uri}.wav", refs.get(uri, Annotation(uri=uri)), uem))
    if "generated-extra" in sets:  # three more espeak pairs, for tuning (not in the default sets)
        for call in generate_calls(pairs=TUNING_PAIRS):
            items.append(_call_item("generated-extra", call))
    for tag, pairs, seed in (("dialogue-tuning", DIALOGUE_TUNING_PAIRS, DIALOGUE_TUNING_SEED),
                             ("dev-pairs", DEV_PAIRS, DEV_SEED), ("heldout-2", HELDOUT2_PAIRS, HELDOUT2_SEED),
                             ("heldout-3", HELDOUT3_PAIRS, HELDOUT3_SEED),
                             ("echo-tuning", ECHO_TUNING_PAIRS, ECHO_TUNING_SEED),
                             ("heldout-4", HELDOUT4_PAIRS, HELDOUT4_SEED)):
        if tag not in sets:
            continue
        echo = {"echo-tuning": ECHO_TUNING_ECHO, "heldout-4": HELDOUT4_ECHO}.get(tag)
        for call in render_sales_calls(pairs, seed, echo=echo):
            items.append(_call_item(tag, call))
    if "one-voice" in sets:
        items += one_voice_items("one-voice", ONE_VOICE, ONE_VOICE_SEED, with_sample_channels=True)
    if "heldout-2-one-voice" in sets:
        items += one_voice_items("heldout-2-one-voice", HELDOUT2_ONE_VOICE, HELDOUT2_ONE_VOICE_SEED)
    if "heldout-3-one-voice" in sets:
        items += one_voice_items("heldout-3-one-voice", HELDOUT3_ONE_VOICE, HELDOUT3_ONE_VOICE_SEED)
    if "generated" in sets:
        for call in generate_calls():
            items.append(_call_item("generated", call))
        script = json.loads((ROOT / "samples" / "discovery_call.script.json").read_text())
        ann = Annotation(uri="discovery_call_mono")
        for i, u in enumerate(script["utterances"]):
            ann[Segment(float(u["start"]), float(u["end"])), i] = u["speaker"]
        items.append(
            Item("generated", "discovery_call_mono", ROOT / "samples" / "discovery_call_mono.wav", ann,
                 Timeline([Segment(0, float(script["duration_s"]))]))
        )
    return items


def one_voice_items(tag: str, voices: dict[str, tuple[str, int, int]], seed: int,
                    with_sample_channels: bool = False) -> list[Item]:
    """One voice with the pauses of a dialogue, no reference turns (the count must stay 1): sales
    calls whose two parts one espeak-ng voice reads and, `with_sample_channels`, each channel of the
    bundled stereo sample call (one side of the conversation, silent while the other talks)."""
    out = []
    if with_sample_channels:
        folder = Path(tempfile.gettempdir()) / "talktrack-one-voice"
        folder.mkdir(exist_ok=True)
        stereo = load_audio(ROOT / "samples" / "discovery_call.wav")
        for c, side in enumerate(("rep", "customer")):
            wav = folder / f"sample-{side}-channel.wav"
            if not wav.exists():
                sf.write(wav, stereo[c], SAMPLE_RATE, subtype="PCM_16")
            out.append(Item(tag, wav.stem, wav, Annotation(uri=wav.stem), Timeline()))
    for call in render_sales_calls({name: (v, v) for name, v in voices.items()}, seed):
        out.append(Item(tag, call.name, call.wav, Annotation(uri=call.name), Timeline()))
    return out


def to_annotation(segments: list[SpeakerSegment], uri: str) -> Annotation:
    ann = Annotation(uri=uri)
    for i, seg in enumerate(segments):
        if seg.end > seg.start:
            ann[Segment(seg.start, seg.end), i] = seg.speaker
    return ann
