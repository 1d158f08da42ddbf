"""The two-speaker split from the words' stretches (`stretches.py`) and the pitch it uses
(`pitch.py`): on synthetic signals with known answers, and on the bundled sample call's mono mix
(two espeak-ng voices) through the real diarizer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from transcription.diarization import OverlapDiarizer
from transcription.diarization.pitch import PITCH_HOP, PITCH_SPAN, yin
from transcription.diarization.stretches import Stretch, hop_labels, split_stretches, word_stretches
from transcription.types import Word

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SR = 16000


def _sawtooth(f0: float, seconds: float, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return ((2 * ((t * f0) % 1) - 1) * amp).astype(np.float32)


def test_yin_finds_the_pitch_of_voiced_sound_and_none_in_noise() -> None:
    for f0 in (80.0, 123.4, 210.0, 350.0):
        track = yin(_sawtooth(f0, 1.0))
        voiced = track[track > 0]
        assert len(voiced) > 0.95 * len(track)
        assert abs(float(np.median(voiced)) - f0) < 0.01 * f0
    noise = np.random.default_rng(0).normal(0, 0.05, SR).astype(np.float32)
    assert (yin(noise) > 0).mean() < 0.02
    assert not yin(np.zeros(SR, np.float32)).any()  # silence: no pitch
    # One value per 10 ms hop whose whole span is inside the audio.
    assert len(yin(np.zeros(SR, np.float32))) == (SR - PITCH_SPAN) // PITCH_HOP + 1


def test_word_stretches_cut_at_sentence_ends_and_pauses() -> None:
    words = [Word(0.0, 0.3, "Hello", "S1"), Word(0.35, 0.6, "there.", "S1"), Word(0.65, 0.9, "How", "S1"),
             Word(0.95, 1.2, "are", "S1"), Word(1.6, 1.9, "you?", "S1"), Word(1.95, 2.3, "Fine", "S1")]
    assert word_stretches(words) == [Stretch(0.0, 0.6, 2), Stretch(0.65, 1.2, 2), Stretch(1.6, 1.9, 1),
                                     Stretch(1.95, 2.3, 1)]
    assert word_stretches([]) == []


def _two_voice_hops(rng: np.random.Generator, order: list[int], seconds: float = 3.0
                    ) -> tuple[list[Stretch], np.ndarray, np.ndarray]:
    """Stretches of `seconds` each, separated by 0.5 s, alternately spoken by voice 0 and 1 as
    `order` says: hop embeddings near one of two close directions, pitch 110 or 130 Hz."""
    base = rng.normal(size=192)
    dirs = [base + 0.35 * rng.normal(size=192) for _ in range(2)]
    stretches, hops, f0 = [], [], []
    t = 0.0
    for who in order:
        stretches.append(Stretch(t, t + seconds, 8))
        for _ in range(int(seconds / 0.2)):
            hops.append(dirs[who] + 0.9 * rng.normal(size=192))
        f0 += [110.0 + 20 * who + rng.normal(0, 2)] * int(seconds * 100)
        hops += [np.zeros(192)] * int(0.5 / 0.2)
        f0 += [0.0] * 50
        t += seconds + 0.5
    return stretches, np.asarray(hops, np.float32), np.asarray(f0, np.float32)


def test_two_voices_split_by_their_stretches() -> None:
    rng = np.random.default_rng(3)
    order = [0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1]
    stretches, hops, f0 = _two_voice_hops(rng, order)
    split = split_stretches(stretches, hops, 0.2, f0)
    assert split is not None and split.clustered == len(order)
    got = split.labels if split.labels[0] == 0 else 1 - split.labels
    assert got.tolist() == order
    assert split.voice_gap > 1.5 and split.pitch_gap > 3
    # Every hop takes its stretch's voice; hops in a pause the nearest stretch's.
    per_hop = hop_labels(stretches, split.labels, len(hops), 0.2)
    assert per_hop[0] == split.labels[0] and per_hop[int(3.6 / 0.2)] == split.labels[1]


def test_one_voice_split_in_two_has_small_gaps() -> None:
    rng = np.random.default_rng(4)
    stretches, hops, f0 = _two_voice_hops(rng, [0] * 12)
    split = split_stretches(stretches, hops, 0.2, f0)
    assert split is not None and split.voice_gap < 1.2 and split.pitch_gap < 3
    assert split_stretches(stretches[:3], hops, 0.2, f0) is None  # too few stretches to split


def _sample_call(seconds: float = 60.0) -> tuple[np.ndarray, list[Word], list[tuple[float, float, str]]]:
    """The bundled mono call's first `seconds`, words spread evenly over its scripted utterances,
    and its turns."""
    from transcription.audio import load_audio

    audio = load_audio(SAMPLES / "discovery_call_mono.wav").mean(axis=0).astype(np.float32)[: int(seconds * SR)]
    script = json.loads((SAMPLES / "discovery_call.script.json").read_text())
    words, turns = [], []
    for u in script["utterances"]:
        a, b = float(u["start"]), float(u["end"])
        if b > seconds or u["backchannel"]:
            continue
        toks = str(u["text"]).split()
        step = (b - a) / len(toks)
        words += [Word(a + i * step, a + (i + 0.8) * step, tok, "S1") for i, tok in enumerate(toks)]
        turns.append((a, b, str(u["speaker"])))
    return audio, sorted(words, key=lambda w: w.start), turns


def test_the_diarizer_tracks_pitch_as_the_audio_arrives_and_splits_the_sample_call() -> None:
    audio, words, turns = _sample_call()
    d = OverlapDiarizer()
    cuts = [0, 7 * SR + 123, 31 * SR, 44 * SR + 17, len(audio)]  # uneven chunks
    for a, b in zip(cuts, cuts[1:], strict=False):
        d.add_audio(audio[a:b], a / SR)
    d.finish()
    whole = yin(np.concatenate([audio, np.zeros(PITCH_SPAN, np.float32)]))[: -(-len(audio) // PITCH_HOP)]
    np.testing.assert_allclose(d.pitch_track(), whole, atol=1e-3)
    two, cents = d.split(words)
    voices = d.split_voices
    assert voices is not None and voices.voice_gap > 2 and voices.pitch_gap > 3  # a man and a woman
    assert set(cents) == {"S1", "S2"}
    # The main speaker of each scripted turn's middle is that turn's voice, under one mapping.
    by_time = [(s.start, s.end, s.speaker) for s in two if not s.overlap]
    got = [next((spk for s, e, spk in by_time if s <= 0.5 * (a + b) < e), "") for a, b, _ in turns]
    mapping = dict(zip([t[2] for t in turns], got, strict=True))
    assert len(set(mapping.values())) == 2
    right = sum(mapping[who] == g for (_, _, who), g in zip(turns, got, strict=True))
    assert right >= 0.9 * len(turns)
