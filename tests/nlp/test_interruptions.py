"""Interruptions counted on overlapping speaker turns (definition in nlp/metrics.py and
docs/metrics.md), and the turns' way through JSON and RTTM."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nlp.analysis import CallAnalysis
from nlp.metrics import compute_metrics, interruptions
from transcription.errors import TranscriptParseError
from transcription.transcript_io import read_vtt, transcript_from_json, write_rttm
from transcription.types import Speaker, SpeakerTurn, Transcript, Word

REP, CUST = "S1", "S2"
SCHEMA = json.loads((Path(__file__).parents[2] / "nlp" / "analysis.schema.json").read_text())


def _spoken(speaker: str, start: float, text: str, word_s: float = 0.4) -> list[Word]:
    """One word every `word_s` seconds from `start`."""
    return [Word(start + i * word_s, start + (i + 1) * word_s, w, speaker) for i, w in enumerate(text.split())]


def _call(words: list[Word], turns: list[SpeakerTurn], rep: bool = True, has_timing: bool = True) -> Transcript:
    return Transcript(
        duration_s=40.0,
        speakers=[Speaker(REP, role="rep" if rep else "unknown"), Speaker(CUST, role="customer")],
        words=sorted(words, key=lambda w: w.start),
        source="audio-stereo",
        speaker_turns=turns,
        has_timing=has_timing,
    )


# The rep talks 0-10 s; the customer says "mm-hmm" over it at 2 s (a backchannel), cuts in at 4 s
# for 2.4 s (an interruption) and starts answering at 9.8 s, 0.2 s before the rep stops (a
# terminal overlap). Then the customer talks 12-20 s and the rep cuts in at 15 s for 2 s.
WORDS = (
    _spoken(REP, 0.0, "so the platform records every call and shows your team which questions win deals "
                      "and the coaching follows")  # 18 words: 0-7.2 s (its turn runs to 10 s)
    + _spoken(CUST, 2.0, "mm-hmm", 0.6)
    + _spoken(CUST, 4.0, "wait how much does that cost us")  # 4.0-6.8 s
    + _spoken(CUST, 9.8, "right so our team is twelve people")
    + _spoken(CUST, 12.0, "and most of them work from home three days a week which makes it hard")
    + _spoken(REP, 15.0, "sorry let me jump in there")
)  # fmt: skip
TURNS = [
    SpeakerTurn(REP, 0.0, 10.0),
    SpeakerTurn(CUST, 2.0, 2.6),
    SpeakerTurn(CUST, 4.0, 6.8),
    SpeakerTurn(CUST, 9.8, 12.6),
    SpeakerTurn(CUST, 12.0, 20.0),
    SpeakerTurn(REP, 15.0, 17.4),
]


def test_interruptions_count_cut_ins_but_not_backchannels_or_early_starts() -> None:
    t = _call(WORDS, TURNS)
    m = compute_metrics(t, [], {})
    assert (m.interruptions_rep, m.interruptions_customer) == (1, 1)
    # which ones: the customer's question at 4 s and the rep's cut-in at 15 s (the customer's turns
    # from 9.8 s and 12 s are one turn: they overlap)
    assert [(x.speaker, x.start) for x in interruptions(t.speaker_turns, t.words)] == [(CUST, 4.0), (REP, 15.0)]


def test_a_backchannel_longer_than_the_overlap_is_still_not_an_interruption() -> None:
    words = _spoken(REP, 0.0, "let me walk you through the three plans we offer today and what each costs") + _spoken(
        CUST, 3.0, "yeah okay right", 0.5
    )
    m = compute_metrics(_call(words, [SpeakerTurn(REP, 0.0, 6.0), SpeakerTurn(CUST, 3.0, 4.5)]), [], {})
    assert (m.interruptions_rep, m.interruptions_customer) == (0, 0)


def test_overlap_turns_without_words_count_by_length() -> None:
    # Mono: the words said under the rep went to the rep, so the customer's overlap turns have none.
    words = _spoken(REP, 0.0, "we have been growing fast this year and the team doubled twice since spring")
    turns = [SpeakerTurn(REP, 0.0, 6.0), SpeakerTurn(CUST, 1.0, 1.6), SpeakerTurn(CUST, 3.0, 4.5)]
    m = compute_metrics(_call(words + _spoken(CUST, 8.0, "okay thanks"), turns), [], {})
    assert m.interruptions_customer == 1  # 1.5 s of speech over the rep counts, 0.6 s does not


def test_a_speakers_short_pause_does_not_make_a_new_turn() -> None:
    # The customer talks over the rep from 2 s to 9 s with 0.3 s breaths: one interruption, not three.
    words = _spoken(REP, 0.0, "our pricing depends on the number of seats and the plan you choose and the term")
    turns = [SpeakerTurn(REP, 0.0, 7.2), SpeakerTurn(CUST, 2.0, 4.0), SpeakerTurn(CUST, 4.3, 6.0),
             SpeakerTurn(CUST, 6.3, 9.0)]  # fmt: skip
    cust = _spoken(CUST, 2.0, "no no we need to know the number before we go any further here really")
    assert compute_metrics(_call(words + cust, turns), [], {}).interruptions_customer == 1


def test_not_applicable_without_timing_or_roles() -> None:
    m = compute_metrics(_call(WORDS, TURNS, has_timing=False), [], {})
    assert (m.interruptions_rep, m.interruptions_customer) == (None, None)
    m = compute_metrics(_call(WORDS, TURNS, rep=False), [], {})
    assert (m.interruptions_rep, m.interruptions_customer) == (None, 1)


def test_turns_derived_from_words_do_not_overlap() -> None:
    words = _spoken(REP, 0.0, "hello there") + _spoken(CUST, 0.9, "hi") + _spoken(REP, 1.4, "so tell me")
    t = Transcript(duration_s=3.0, speakers=[Speaker(REP), Speaker(CUST)], words=words, source="json")
    assert [(x.speaker, x.start, x.end) for x in t.speaker_turns] == [
        (REP, 0.0, 0.8), (CUST, 0.9, 1.3), (REP, 1.4, pytest.approx(2.6))
    ]  # fmt: skip


# ----------------------------------------------------------------------------------------------
# JSON and RTTM


def test_json_keeps_overlapping_turns_and_old_json_derives_them() -> None:
    analysis = CallAnalysis(_call(WORDS, TURNS), metrics=compute_metrics(_call(WORDS, TURNS), [], {}))
    data = json.loads(json.dumps(analysis.to_dict()))
    jsonschema.validate(data, SCHEMA)
    assert data["speaker_turns"][:3] == [
        {"speaker": REP, "start": 0.0, "end": 10.0},
        {"speaker": CUST, "start": 2.0, "end": 2.6},
        {"speaker": CUST, "start": 4.0, "end": 6.8},
    ]
    assert data["metrics"]["interruptions_rep"] == 1 and data["metrics"]["interruptions_customer"] == 1
    back = CallAnalysis.from_dict(data)
    # the two overlapping customer turns (9.8-12.6, 12-20) are one turn of one speaker
    assert [(x.speaker, x.start, x.end) for x in back.transcript.speaker_turns] == [
        (REP, 0.0, 10.0), (CUST, 2.0, 2.6), (CUST, 4.0, 6.8), (CUST, 9.8, 20.0), (REP, 15.0, 17.4)
    ]  # fmt: skip
    assert back.metrics.interruptions_customer == 1
    del data["speaker_turns"], data["metrics"]["interruptions_rep"], data["metrics"]["interruptions_customer"]
    old = CallAnalysis.from_dict(data)
    assert old.transcript.speaker_turns[:2] == [SpeakerTurn(REP, 0.0, 2.4), SpeakerTurn(CUST, 2.0, 2.6)]
    assert old.metrics.interruptions_rep is None


def test_json_turns_are_checked() -> None:
    base = CallAnalysis(_call(WORDS, TURNS)).to_dict()
    for bad, match in (
        ([{"speaker": "S9", "start": 0.0, "end": 1.0}], "S9"),
        ([{"speaker": REP, "start": 2.0, "end": 1.0}], "ends"),
        ([{"speaker": REP, "start": "soon", "end": 1.0}], "invalid"),
        ("S1", "invalid"),
    ):
        with pytest.raises(TranscriptParseError, match=match):
            transcript_from_json({**base, "speaker_turns": bad})


def test_rttm_has_both_speakers_over_the_same_time() -> None:
    lines = write_rttm(_call(WORDS, TURNS), "call 1").splitlines()
    assert lines[:3] == [
        "SPEAKER call_1 1 0.000 10.000 <NA> <NA> S1 <NA> <NA>",
        "SPEAKER call_1 1 2.000 0.600 <NA> <NA> S2 <NA> <NA>",
        "SPEAKER call_1 1 4.000 2.800 <NA> <NA> S2 <NA> <NA>",
    ]


def test_vtt_turns_come_from_the_cues(tmp_path: Path) -> None:
    vtt = tmp_path / "call.vtt"
    vtt.write_text(
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:06.000\n<v Dana>So the platform records every call and shows your team.\n\n"
        "00:00:06.000 --> 00:00:09.000\n<v Dana>Which questions win deals.\n\n"
        "00:00:03.000 --> 00:00:05.000\n<v Chris>Wait, what does it cost?\n",
        encoding="utf-8",
    )
    t = read_vtt(vtt, rep_name="Dana")
    assert [(x.speaker, x.start, x.end) for x in t.speaker_turns] == [("S1", 0.0, 9.0), ("S2", 3.0, 5.0)]
    m = compute_metrics(t, [], {})
    assert (m.interruptions_rep, m.interruptions_customer) == (0, 1)


def test_the_sample_calls_backchannels_overlap_but_do_not_interrupt() -> None:
    # The bundled call lays "right", "I see" and "mm-hmm" over the other side's long turns.
    t = read_vtt(Path(__file__).parents[2] / "samples" / "discovery_call.vtt", rep_name="Alex Rivera")
    overlapping = [(a.speaker, b.speaker) for a in t.speaker_turns for b in t.speaker_turns
                   if a.speaker != b.speaker and a.start < b.start < a.end]  # fmt: skip
    assert overlapping == [("S2", "S1"), ("S2", "S1"), ("S1", "S2")]
    m = compute_metrics(t, [], {})
    assert (m.interruptions_rep, m.interruptions_customer) == (0, 0)
