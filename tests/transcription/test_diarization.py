"""Mono diarization on real recordings, the streaming interface, and per-word speaker assignment."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from transcription.diarization import DiarizationParams, Diarizer, SpeakerSegment, assign_speakers, diarize
from transcription.diarization.clustering import cluster_embeddings
from transcription.types import Word

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SAMPLE = DATA / "diarization" / "pyannote-sample"


@lru_cache(maxsize=4)
def _mono(path: Path) -> np.ndarray:
    from transcription.audio import load_audio

    return np.asarray(load_audio(path).mean(axis=0), dtype=np.float32)


@lru_cache(maxsize=1)
def _sample_segments() -> tuple[SpeakerSegment, ...]:
    return tuple(diarize(_mono(SAMPLE / "sample.wav")))


def _reference() -> list[tuple[float, float, str]]:
    rows = [line.split() for line in (SAMPLE / "sample.rttm").read_text().splitlines() if line.strip()]
    return [(float(r[3]), float(r[3]) + float(r[4]), r[7]) for r in rows]


@pytest.mark.slow
def test_single_voice_gives_exactly_one_speaker() -> None:
    segments = diarize(_mono(DATA / "asr" / "jfk.flac"))
    assert {s.speaker for s in segments} == {"S1"}
    assert all(type(s.start) is float and type(s.end) is float for s in segments)  # JSON-ready, not numpy
    speech = sum(s.end - s.start for s in segments)
    assert 6.0 < speech < 11.0  # jfk.flac: 11 s with pauses between phrases


@pytest.mark.slow
def test_phone_sample_gives_two_speakers_matching_the_reference() -> None:
    from pyannote.core import Annotation, Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    segments = _sample_segments()
    assert sorted({s.speaker for s in segments}) == ["S1", "S2"]
    ref, hyp = Annotation(), Annotation()
    for i, (s, e, spk) in enumerate(_reference()):
        ref[Segment(s, e), i] = spk
    for i, seg in enumerate(segments):
        hyp[Segment(seg.start, seg.end), i] = seg.speaker
    der = DiarizationErrorRate()(ref, hyp, uem=Timeline([Segment(6.6, 30.0)]))
    assert der < 0.25  # measured 0.234 (bench/diarization_eval.py); the target, 0.15, is not met


@pytest.mark.slow
def test_streaming_in_small_chunks_matches_whole_file() -> None:
    audio = _mono(SAMPLE / "sample.wav")
    whole = list(_sample_segments())
    d = Diarizer()
    rng = np.random.default_rng(0)
    i = 0
    while i < len(audio):
        n = int(rng.integers(800, 48000))
        d.add_audio(audio[i : i + n], i / 16000)
        i += n
    assert d.finish() == whole
    assert set(d.speaker_embeddings) == {"S1", "S2"}
    assert all(abs(float(np.linalg.norm(e)) - 1.0) < 1e-4 for e in d.speaker_embeddings.values())


@pytest.mark.slow
def test_short_blocks_keep_memory_bounded_and_turns_plausible() -> None:
    # 8 s blocks force the carry-over of open speech regions between blocks, as on a long call.
    audio = _mono(SAMPLE / "sample.wav")
    d = Diarizer(replace(DiarizationParams(), block_s=8.0))
    for i in range(0, len(audio), 16000):
        d.add_audio(audio[i : i + 16000], i / 16000)
        assert d._buffered <= 8.0 * 16000 + 16000  # never more than one block plus one chunk
    segments = d.finish()
    assert sorted({s.speaker for s in segments}) == ["S1", "S2"]


def test_silence_gives_no_segments_and_no_speakers() -> None:
    d = Diarizer()
    d.add_audio(np.zeros(16000 * 5, np.float32), 0.0)
    assert d.finish() == []
    assert d.speaker_embeddings == {}


def test_clustering_finds_the_planted_count() -> None:
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3, 256))
    emb = np.concatenate([c + 0.15 * rng.normal(size=(40, 256)) for c in centres]).astype(np.float32)
    labels, cents = cluster_embeddings(emb, np.full(120, 0.4, np.float32), DiarizationParams())
    assert cents.shape == (3, 256)
    assert [int(x) for x in labels[::40]] == [0, 1, 2]  # numbered by first appearance
    assert all(len(set(labels[i * 40 : (i + 1) * 40].tolist())) == 1 for i in range(3))
    forced, _ = cluster_embeddings(emb, np.full(120, 0.4, np.float32), DiarizationParams(), num_speakers=2)
    assert len(set(forced.tolist())) == 2


def test_long_calls_cluster_a_subsample_and_assign_the_rest() -> None:
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(2, 256))
    emb = np.concatenate([c + 0.15 * rng.normal(size=(300, 256)) for c in centres]).astype(np.float32)
    params = replace(DiarizationParams(), max_cluster_windows=40)  # 600 windows > 40: subsample path
    labels, _ = cluster_embeddings(emb, np.full(600, 0.4, np.float32), params)
    assert labels[:300].tolist() == [0] * 300 and labels[300:].tolist() == [1] * 300


def test_one_tight_cluster_stays_one_speaker() -> None:
    rng = np.random.default_rng(4)
    emb = (rng.normal(size=(1, 256)) + 0.1 * rng.normal(size=(60, 256))).astype(np.float32)
    labels, _ = cluster_embeddings(emb, np.full(60, 0.4, np.float32), DiarizationParams())
    assert set(labels.tolist()) == {0}


def _w(start: float, end: float, text: str = "w") -> Word:
    return Word(start, end, text, "?")


SEGS = [SpeakerSegment(0.0, 5.0, "S1"), SpeakerSegment(5.0, 5.6, "S2"), SpeakerSegment(5.6, 10.0, "S1")]


def test_short_answer_inside_the_other_turn_gets_its_own_speaker() -> None:
    words = [_w(4.2, 4.8, "budget?"), _w(5.05, 5.5, "yes."), _w(5.7, 6.0, "great")]
    assert [w.speaker for w in assign_speakers(words, SEGS)] == ["S1", "S2", "S1"]


def test_word_across_a_boundary_goes_to_the_speaker_covering_most_of_it() -> None:
    words = [_w(4.6, 5.2), _w(4.9, 5.5), _w(5.5, 5.8)]
    assert [w.speaker for w in assign_speakers(words, SEGS)] == ["S1", "S2", "S1"]


def test_overlapping_segments_and_words_outside_every_segment() -> None:
    segs = [SpeakerSegment(0.0, 3.0, "S1"), SpeakerSegment(2.0, 6.0, "S2"), SpeakerSegment(9.0, 10.0, "S1")]
    words = [_w(2.1, 2.4), _w(2.8, 3.5), _w(6.5, 6.8), _w(8.5, 8.7), _w(12.0, 12.5)]
    # inside both -> the voice that came in last; mostly S2 -> S2; outside -> nearest segment
    assert [w.speaker for w in assign_speakers(words, segs)] == ["S2", "S2", "S2", "S1", "S1"]


def test_no_segments_gives_every_word_to_one_speaker() -> None:
    assert {w.speaker for w in assign_speakers([_w(0, 1), _w(1, 2)], [])} == {"S1"}
