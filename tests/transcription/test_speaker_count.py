"""The speaker count from the phrases (`transcription.diarization.count`): a one-voice result becomes
two speakers only when the split of the words' stretches holds two voices and the words show two
people taking turns; a small second voice that is the same voice merges into the first; a hint is a
prior; an unsure count carries a `speakers_note`."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import pytest

from transcription.diarization import OverlapDiarizer, SpeakerSegment
from transcription.diarization.count import (
    HINTED,
    MERGE_STRETCHES,
    UNHINTED,
    CountDecision,
    joint_evidence,
    settle_count,
    speakers_note_of,
)
from transcription.diarization.stretches import VoiceSplit
from transcription.types import Word

DIALOGUE = [
    ("A", "Hi, this is Sam from Northwind. Do you have a minute?"),
    ("B", "Sure, go ahead."),
    ("A", "How do you handle reporting today?"),
    ("B", "We export spreadsheets every Friday."),
    ("A", "Who reviews them?"),
    ("B", "My manager, on Monday."),
    ("A", "Would a demo next week help?"),
    ("B", "Yes, Tuesday works."),
    ("A", "Great, I will send an invite."),
    ("B", "Thanks, bye."),
]


def _words_and_turns() -> tuple[list[Word], list[tuple[float, float, str]]]:
    words, turns, t = [], [], 0.3
    for who, text in DIALOGUE:
        start = t
        for tok in text.split():
            words.append(Word(round(t, 3), round(t + 0.3, 3), tok, "S1"))
            t += 0.35
        turns.append((start, t, who))
        t += 0.6
    return words, turns


def _voices(voice_gap: float, pitch_gap: float = 0.5, clustered: int = 20) -> VoiceSplit:
    return VoiceSplit(np.zeros(1, np.int64), np.eye(2, 4, dtype=np.float32), voice_gap, pitch_gap, 0.5, clustered)


class _StubDiarizer:
    """What `settle_count` asks of the diarizer: the voices' embeddings, and a two-speaker split of
    the words' stretches with its voice evidence."""

    def __init__(self, two: list[SpeakerSegment], voices: VoiceSplit, found: tuple[str, ...] = ("S1",)) -> None:
        self.speaker_embeddings = {s: np.full(4, i + 1, np.float32) for i, s in enumerate(found)}
        self._two = two
        self._voices = voices
        self.split_voices: VoiceSplit | None = None

    def split(self, words: list[Word]) -> tuple[list[SpeakerSegment], dict[str, np.ndarray]]:
        self.split_voices = self._voices
        return self._two, {"S1": np.ones(4, np.float32), "S2": -np.ones(4, np.float32)}


def _one_voice() -> list[SpeakerSegment]:
    _, turns = _words_and_turns()
    return [SpeakerSegment(turns[0][0], turns[-1][1], "S1")]


def _split_by_turns() -> list[SpeakerSegment]:
    _, turns = _words_and_turns()
    return [SpeakerSegment(s, e, "S1" if who == "A" else "S2") for s, e, who in turns]


def _settle(voices: VoiceSplit, expected: int | None = None, hinted: bool = False,
            found: list[SpeakerSegment] | None = None) -> CountDecision:
    words, _ = _words_and_turns()
    segments = found if found is not None else _one_voice()
    ids = tuple(sorted({s.speaker for s in segments}))
    stub = cast(OverlapDiarizer, _StubDiarizer(_split_by_turns(), voices, ids))
    return settle_count(stub, segments, words, expected, hinted=hinted)


def test_two_voices_taking_turns_are_kept_with_a_clear_margin() -> None:
    d = _settle(_voices(voice_gap=3.0))
    assert d.split and {s.speaker for s in d.segments} == {"S1", "S2"}
    assert d.dialogue is not None and d.dialogue.turns == 9 and d.dialogue.answered == 1.0
    assert d.margin is not None and d.margin > 0.5
    assert not d.unsure and speakers_note_of(d) is None


def test_one_voice_split_in_two_stays_one() -> None:
    """A split whose groups sound alike (what splitting one voice gives) is not kept, however well
    it follows the turns."""
    d = _settle(_voices(voice_gap=0.8, pitch_gap=1.2))
    assert not d.split and {s.speaker for s in d.segments} == {"S1"}
    assert d.margin is not None and d.margin < -0.15 and not d.unsure


def test_pitch_alone_can_show_two_voices() -> None:
    d = _settle(_voices(voice_gap=0.6, pitch_gap=UNHINTED.pitch_gap * 1.5))
    assert d.split


def test_both_gaps_together_can_show_two_voices() -> None:
    """Neither gap reaches its own bar, but both are well above one voice's: the values of the tuning
    pair `held-nyc-mike-gb-michael` (voice gap 1.15, pitch gap 1.76; joint 1.36 against a bar of
    1.25). The one-voice tuning call that came closest (`one-us-mike`: 1.20 and 0.94, joint 1.13)
    stays one speaker."""
    two = _voices(voice_gap=1.15, pitch_gap=1.76)
    assert two.voice_gap < UNHINTED.voice_gap and two.pitch_gap < UNHINTED.pitch_gap
    assert joint_evidence(two, UNHINTED) == pytest.approx(1.36, abs=0.005)
    d = _settle(two, expected=2)
    assert d.split and {s.speaker for s in d.segments} == {"S1", "S2"}
    assert d.margin is not None and 0 < d.margin < 0.15 and d.unsure  # close to the bar: says so
    one = _voices(voice_gap=1.20, pitch_gap=0.94)
    assert joint_evidence(one, UNHINTED) == pytest.approx(1.13, abs=0.005)
    assert not _settle(one, expected=2).split


def test_a_split_close_to_the_bar_carries_a_speakers_note() -> None:
    d = _settle(_voices(voice_gap=UNHINTED.voice_gap * 1.05))  # 5 % over the bar: kept, but unsure
    assert d.split and d.unsure
    note = speakers_note_of(d)
    assert note is not None
    assert "Fix speakers" in note.fix and "PATCH /v1/calls/ID/speakers" in note.fix
    assert "conversation" in note.why and "voice gap 1.52" in note.why
    # The facts the English was worded from travel with it (a page words the note from them).
    assert note.case == "split" and note.evidence is not None
    assert (note.evidence.voice_gap, note.evidence.pitch_gap, note.evidence.turns, note.evidence.questions,
            note.evidence.answered) == (1.52, 0.5, 9, 4, 1.0)
    assert "pitch gap 0.50" in note.why and "9 changes of speaker" in note.why and "100% answered" in note.why


def test_a_hint_lowers_the_conversation_bar_and_a_miss_stays_one_with_a_warning() -> None:
    assert HINTED.turns < UNHINTED.turns and HINTED.voice_gap == UNHINTED.voice_gap
    words, turns = _words_and_turns()
    # Four changes of speaker: enough with a hint of two people, not without one.
    four = [SpeakerSegment(turns[0][0], turns[5][1], "S1"), SpeakerSegment(turns[6][0], turns[6][1], "S2"),
            SpeakerSegment(turns[7][0], turns[7][1], "S1"), SpeakerSegment(turns[8][0], turns[8][1], "S2"),
            SpeakerSegment(turns[9][0], turns[9][1], "S1")]
    for expected, kept in ((None, False), (2, True)):
        stub = cast(OverlapDiarizer, _StubDiarizer(four, _voices(voice_gap=3.0)))
        assert settle_count(stub, _one_voice(), words, expected).split is kept
    d = _settle(_voices(voice_gap=1.0), expected=2, hinted=True)
    assert not d.split and d.warning is not None and "2 speakers were expected" in d.warning
    note = speakers_note_of(d)
    assert note is not None and "--force-speakers" in note.fix
    assert note.case == "one_voice" and note.evidence is not None and note.evidence.voice_gap == 1.0


def test_a_small_second_voice_that_sounds_like_the_first_merges() -> None:
    """The voices found a second speaker with a few seconds of speech; the phrases are one voice."""
    _, turns = _words_and_turns()
    end = turns[-1][1]
    found = [SpeakerSegment(0.3, 10.0, "S1"), SpeakerSegment(10.0, 10.8, "S2"), SpeakerSegment(10.8, end, "S1"),
             SpeakerSegment(5.0, 5.5, "S2", overlap=True)]
    d = _settle(_voices(voice_gap=0.6, clustered=MERGE_STRETCHES), found=found)
    assert d.merged and [(s.start, s.end, s.speaker, s.overlap) for s in d.segments] == [(0.3, end, "S1", False)]
    assert list(d.embeddings) == ["S1"] and d.embeddings["S1"][0] == 1.0  # the voice heard most
    # Too few phrases to be sure: the voices' result stays.
    assert not _settle(_voices(voice_gap=0.6, clustered=MERGE_STRETCHES - 1), found=found).merged
    # Two voices in the phrases: their split replaces the mixed-up pair.
    d = _settle(_voices(voice_gap=3.0), found=found)
    assert d.split and d.segments == _split_by_turns()
    # A person said three people: a small voice is plausible, nothing is weighed.
    d = _settle(_voices(voice_gap=0.6), found=found, expected=3)
    assert d.segments == found and d.voices is None


def test_three_voices_one_hardly_heard_become_the_two_expected() -> None:
    """Where two people are expected (the default prior), a third voice with a few seconds of speech
    joins the voice whose centroid is nearer (the clustering found the two main voices); the two
    are then weighed like any two."""
    _, turns = _words_and_turns()
    end = turns[-1][1]
    found = [SpeakerSegment(0.3, 8.0, "S1"), SpeakerSegment(8.0, 8.8, "S3"), SpeakerSegment(8.8, 14.0, "S2"),
             SpeakerSegment(14.0, end, "S1"), SpeakerSegment(10.0, 10.4, "S3", overlap=True),
             SpeakerSegment(15.0, 15.5, "S3", overlap=True)]
    # The stub's centroids: S1 (1, 1, 1, 1), S2 (2, ...), S3 (3, ...): S3 is nearer S2.
    d = _settle(_voices(voice_gap=3.0), found=found, expected=2)
    assert not d.split and d.voices is None  # two voices with a fair share each: not weighed
    assert [(s.start, s.end, s.speaker, s.overlap) for s in d.segments] == [
        (0.3, 8.0, "S1", False), (8.0, 14.0, "S2", False), (14.0, end, "S1", False), (15.0, 15.5, "S2", True)]
    assert sorted(d.embeddings) == ["S1", "S2"] and d.embeddings["S2"][0] == 2.0
    assert _settle(_voices(voice_gap=3.0), found=found).segments == found  # no prior: three stay three
    # What is left after the third joins may itself be a small second voice: weighed as one.
    small = [SpeakerSegment(0.3, 20.0, "S1"), SpeakerSegment(20.0, 20.6, "S2"), SpeakerSegment(20.6, 21.2, "S3"),
             SpeakerSegment(21.2, end, "S1")]
    d = _settle(_voices(voice_gap=3.0), found=small, expected=2)
    assert d.split and d.segments == _split_by_turns()


def test_two_voices_with_a_fair_share_each_are_not_weighed() -> None:
    _, turns = _words_and_turns()
    d = _settle(_voices(voice_gap=0.6), found=_split_by_turns())
    assert d.segments == _split_by_turns() and d.voices is None and not d.merged


@pytest.mark.slow
def test_a_hinted_two_on_one_real_voice_stays_one(asr_dir: Path, whisper_loaded: None) -> None:
    """jfk.flac, one real voice: `--speakers 2` (a prior) keeps one speaker and warns."""
    from transcription.pipeline import TranscribeOptions, transcribe_file

    t = transcribe_file(asr_dir / "jfk.flac", TranscribeOptions(num_speakers=2))
    assert [s.id for s in t.speakers] == ["S1"]
    assert any("2 speakers were expected" in w for w in t.warnings), t.warnings
    assert t.speakers_note is not None
    forced = transcribe_file(asr_dir / "jfk.flac", TranscribeOptions(num_speakers=2, force_speakers=True))
    assert len(forced.speakers) == 2


@pytest.mark.slow
def test_two_voices_the_clustering_merges_are_two_speakers(tmp_path: Path, whisper_loaded: None,
                                                           espeak: None) -> None:
    """A tuning pair (`dtune-gb-david-us-adam`: two espeak male voices) that the voice clustering
    alone gives one speaker (49 % DER): the split of its phrases holds two voices (voice gap 2.9
    against a bar of 1.45 on the tuning run), so it is two speakers, and not unsure."""
    from bench.diarization_calls import DIALOGUE_TUNING_PAIRS, DIALOGUE_TUNING_SEED, render_sales_calls
    from transcription.pipeline import TranscribeOptions, transcribe_file

    names = list(DIALOGUE_TUNING_PAIRS)
    name = "dtune-gb-david-us-adam"
    i = names.index(name)
    # The same seed as in the tuning set: render just this pair.
    call = render_sales_calls({name: DIALOGUE_TUNING_PAIRS[name]}, DIALOGUE_TUNING_SEED + i, cache_dir=tmp_path)[0]
    from transcription.audio import load_audio
    from transcription.diarization import diarize_overlap

    voices = diarize_overlap(load_audio(call.wav).mean(axis=0))
    assert len({s.speaker for s in voices}) == 1  # the voices alone: one speaker
    t = transcribe_file(call.wav, TranscribeOptions())
    assert [s.id for s in t.speakers] == ["S1", "S2"]
    assert t.speakers_note is None
