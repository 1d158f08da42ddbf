"""WebVTT and JSON transcript import, VTT and RTTM export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transcription.errors import EmptyInputError, InputNotFoundError, TranscriptParseError
from transcription.transcript_io import (
    read_transcript_json,
    read_vtt,
    transcript_from_json,
    write_rttm,
    write_vtt,
)
from transcription.types import Speaker, Transcript, Word

TEAMS_VTT = """WEBVTT

NOTE exported from Teams

a1b2c3-0
00:00:01.000 --> 00:00:04.000
<v Dana Reyes>Hi Chris, thanks &amp; welcome.</v>

a1b2c3-1
00:00:04.500 --> 00:00:06.500
<v Chris Lee>Happy to <i>be</i> here.</v>

00:01:02.000 --> 00:01:03.000
<v dana reyes>What's changed?</v>
"""

ZOOM_VTT = """WEBVTT

1
00:00:00.000 --> 00:00:02.000
Dana Reyes: Good morning.

2
00:00:02.000 --> 00:00:03.000
Chris Lee: Morning!
"""


def _write(tmp_path: Path, text: str, name: str = "call.vtt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_teams_voice_tags(tmp_path: Path) -> None:
    t = read_vtt(_write(tmp_path, TEAMS_VTT), rep_name="DANA REYES")
    assert [(s.id, s.name, s.role) for s in t.speakers] == [
        ("S1", "Dana Reyes", "rep"),
        ("S2", "Chris Lee", "customer"),
        ("S3", "dana reyes", "rep"),
    ]
    assert [w.word for w in t.words[:5]] == ["Hi", "Chris,", "thanks", "&", "welcome."]
    assert t.source == "vtt"
    assert t.duration_s == 63.0
    # First cue: 1..4 s spread by characters+1: "Hi"=3, "Chris,"=7, "thanks"=7, "&"=2, "welcome."=9 of 28.
    assert t.words[0].start == 1.0
    assert t.words[1].start == pytest.approx(1.0 + 3 * 3 / 28, abs=0.001)
    assert t.words[4].end == 4.0
    assert [w.word for w in t.words if w.speaker == "S2"] == ["Happy", "to", "be", "here."]


def test_zoom_name_prefix(tmp_path: Path) -> None:
    t = read_vtt(_write(tmp_path, ZOOM_VTT), rep_name="chris lee")
    assert [(s.name, s.role) for s in t.speakers] == [("Dana Reyes", "customer"), ("Chris Lee", "rep")]
    assert [w.word for w in t.words] == ["Good", "morning.", "Morning!"]


def test_without_rep_name_roles_are_unknown(tmp_path: Path) -> None:
    t = read_vtt(_write(tmp_path, ZOOM_VTT))
    assert {s.role for s in t.speakers} == {"unknown"}
    assert t.warnings == []


def test_unknown_rep_name_warns(tmp_path: Path) -> None:
    t = read_vtt(_write(tmp_path, ZOOM_VTT), rep_name="Pat")
    assert {s.role for s in t.speakers} == {"unknown"}
    assert t.warnings == ["no speaker named 'Pat' (speakers: Dana Reyes, Chris Lee); roles left unknown"]


def test_cue_without_speaker(tmp_path: Path) -> None:
    t = read_vtt(_write(tmp_path, "WEBVTT\n\n00:01.000 --> 00:02.000\nhello there\n"))
    assert [(s.id, s.name) for s in t.speakers] == [("S1", "Speaker")]
    assert [w.word for w in t.words] == ["hello", "there"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\n00:00:00.000 --> 00:00:01.000\nhi\n", "first line must be 'WEBVTT'"),
        ("WEBVTT\n\n00:00:0x.000 --> 00:00:01.000\nhi\n", "malformed cue timing|not a WebVTT timestamp"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nhi\n", "ends before it starts"),
        ("WEBVTT\n\nid-only\nhello\n", "without a 'start --> end' line"),
    ],
)
def test_malformed_vtt(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(TranscriptParseError, match=message):
        read_vtt(_write(tmp_path, text))


def test_vtt_without_cues_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyInputError, match="no cues"):
        read_vtt(_write(tmp_path, "WEBVTT\n\nNOTE nothing said\n"))


def test_missing_and_empty_vtt(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError):
        read_vtt(tmp_path / "none.vtt")
    with pytest.raises(EmptyInputError):
        read_vtt(_write(tmp_path, ""))


def _sample_transcript() -> Transcript:
    return Transcript(
        duration_s=10.0,
        speakers=[
            Speaker("S1", role="rep", name="Dana", channel=0),
            Speaker("S2", role="customer", channel=1),
        ],
        words=[
            Word(0.5, 0.9, "Hello,", "S1", 0.9),
            Word(1.0, 1.4, "Chris.", "S1", 0.8),
            Word(2.0, 2.5, "Hi!", "S2"),
            Word(3.0, 3.2, "So", "S1"),
        ],
        source="audio-stereo",
    )


def test_write_vtt_reads_back(tmp_path: Path) -> None:
    text = write_vtt(_sample_transcript())
    assert text.splitlines()[:4] == ["WEBVTT", "", "00:00:00.500 --> 00:00:01.400", "<v Dana>Hello, Chris."]
    again = read_vtt(_write(tmp_path, text), rep_name="dana")
    assert [s.name for s in again.speakers] == ["Dana", "S2"]
    assert [w.word for w in again.words] == ["Hello,", "Chris.", "Hi!", "So"]
    assert [w.speaker for w in again.words] == ["S1", "S1", "S2", "S1"]
    assert again.speakers[0].role == "rep"


def test_write_rttm() -> None:
    assert write_rttm(_sample_transcript(), "my call").splitlines() == [
        "SPEAKER my_call 1 0.500 0.900 <NA> <NA> S1 <NA> <NA>",
        "SPEAKER my_call 1 2.000 0.500 <NA> <NA> S2 <NA> <NA>",
        "SPEAKER my_call 1 3.000 0.200 <NA> <NA> S1 <NA> <NA>",
    ]


def _analysis_json(t: Transcript) -> dict[str, object]:
    return {
        "duration_s": t.duration_s,
        "source": t.source,
        "speakers": [{"id": s.id, "role": s.role, "name": s.name, "channel": s.channel} for s in t.speakers],
        "words": [
            {
                "start": w.start,
                "end": w.end,
                "word": w.word,
                "speaker": w.speaker,
                "probability": w.probability,
            }
            for w in t.words
        ],
        "metrics": {"talk_ratio": 0.5},
    }


def test_json_round_trip(tmp_path: Path) -> None:
    original = _sample_transcript()
    t = transcript_from_json(_analysis_json(original))
    assert t.words == original.words
    assert [(s.id, s.role, s.name, s.channel) for s in t.speakers] == [
        ("S1", "rep", "Dana", 0),
        ("S2", "customer", None, 1),
    ]
    assert t.source == "json" and t.duration_s == 10.0
    path = tmp_path / "call.json"
    path.write_text(json.dumps(_analysis_json(original)))
    assert read_transcript_json(path, rep_name="nobody").speakers[0].role == "unknown"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("words"),
        lambda d: d["speakers"][0].update(role="boss"),
        lambda d: d["words"][0].update(start="soon"),
        lambda d: d["words"][0].update(speaker="S9"),
    ],
    ids=["no-words", "bad-role", "bad-time", "unknown-speaker"],
)
def test_malformed_json(mutate: object) -> None:
    data = _analysis_json(_sample_transcript())
    mutate(data)  # type: ignore[operator]
    with pytest.raises(TranscriptParseError):
        transcript_from_json(data)


def test_json_file_not_json(tmp_path: Path) -> None:
    path = tmp_path / "call.json"
    path.write_text("{ not json")
    with pytest.raises(TranscriptParseError, match="not valid JSON"):
        read_transcript_json(path)
