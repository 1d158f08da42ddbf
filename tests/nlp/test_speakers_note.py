"""`speakers_note` (a mono call's unsure speaker count) travels through the analysis JSON, shows on
the CLI scorecard with the rep items marked unsure, and is dropped once a person sets the roles."""

from __future__ import annotations

from nlp.analysis import CallAnalysis
from nlp.types import CallMetrics
from service.commands.scorecard_text import render_scorecard
from transcription.types import Speaker, SpeakersNote, Transcript, Word

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
