"""`speakers_note` (a mono call's unsure speaker count) travels through the analysis JSON, shows on
the CLI scorecard with the rep items marked unsure, and is dropped once a person sets the roles."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nlp.analysis import CallAnalysis
from nlp.types import CallMetrics
from service.commands.scorecard_text import render_scorecard
from transcription.transcript_io import speakers_note_from_json
from transcription.types import CountEvidence, Speaker, SpeakersNote, Transcript, Word

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "nlp" / "analysis.schema.json").read_text())
NOTE = SpeakersNote("One voice was found, but the recording may hold two people.",
                    "Analyse it again with `talktrack analyze CALL --speakers 2 --force-speakers`.")


def _analysis() -> CallAnalysis:
    t = Transcript(duration_s=3.0, speakers=[Speaker("S1")], words=[Word(0.1, 0.5, "Hello?", "S1")],
                   source="audio-mono", speakers_note=NOTE)
    return CallAnalysis(transcript=t, metrics=CallMetrics())


def test_speakers_note_round_trips_through_the_json() -> None:
    data = _analysis().to_dict()
    assert data["speakers_note"] == NOTE.to_dict()
    assert CallAnalysis.from_dict(data).transcript.speakers_note == NOTE
    data["speakers_note"] = None
    assert CallAnalysis.from_dict(data).transcript.speakers_note is None


def test_the_case_and_evidence_round_trip_and_an_older_note_still_loads() -> None:
    """What `speakers_note_of` keeps beside the English (the page words the note from it) comes back
    from the JSON; a note written before them, or with ones not understood, keeps its English alone."""
    evidence = CountEvidence(voice_gap=1.52, pitch_gap=0.5, turns=9, questions=3, answered=2 / 3)
    note = SpeakersNote("Two speakers were found ...", "Choose the rep ...", "split", evidence)
    data = _analysis().to_dict()
    data["speakers_note"] = note.to_dict()
    assert data["speakers_note"]["evidence"] == {"voice_gap": 1.52, "pitch_gap": 0.5, "turns": 9, "questions": 3,
                                                 "answered": 2 / 3}
    jsonschema.validate(data, SCHEMA)
    assert CallAnalysis.from_dict(json.loads(json.dumps(data))).transcript.speakers_note == note
    few = SpeakersNote(NOTE.why, NOTE.fix, "one_voice", None)
    assert few.to_dict() == {**NOTE.to_dict(), "case": "one_voice", "evidence": None}
    assert speakers_note_from_json(few.to_dict()) == few
    jsonschema.validate({**data, "speakers_note": few.to_dict()}, SCHEMA)
    # An analysis from before: {"why", "fix"} only, read and written back as it was.
    assert NOTE.to_dict() == {"why": NOTE.why, "fix": NOTE.fix}
    assert speakers_note_from_json({"why": NOTE.why, "fix": NOTE.fix}) == NOTE
    jsonschema.validate({**data, "speakers_note": NOTE.to_dict()}, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "speakers_note": {**note.to_dict(), "case": "two"}}, SCHEMA)
    for bad in ({"case": "two"}, {"case": "split", "evidence": {"voice_gap": "1.5"}},
                {"case": "split", "evidence": {**evidence.to_dict(), "turns": 2.5}}):
        assert speakers_note_from_json({**NOTE.to_dict(), **bad}) == NOTE


def test_the_cli_scorecard_shows_the_note_and_unsure_rep_items() -> None:
    text = render_scorecard(_analysis(), "call")
    assert "Speaker count unsure" in text and "--force-speakers" in text
    talk_ratio = next(line for line in text.splitlines() if line.strip().startswith("Talk ratio"))
    assert talk_ratio.rstrip().endswith("unsure")
    assert "Speaker count unsure" not in render_scorecard(
        CallAnalysis(transcript=Transcript(3.0, [Speaker("S1")], [], "audio-mono")), "call")


def test_setting_the_roles_drops_the_note() -> None:
    from nlp.relabel import relabel

    data = _analysis().to_dict()
    assert relabel(data, names={"S1": "Sam"}).transcript.speakers_note == NOTE
    assert relabel(data, roles={"S1": "rep"}).transcript.speakers_note is None
