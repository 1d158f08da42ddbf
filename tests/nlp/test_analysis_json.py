"""The analysis JSON: what `to_dict()` writes matches the schema and reads back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nlp.analysis import CallAnalysis
from nlp.metrics import compute_metrics
from nlp.types import NextStep, Question, TrackerHit
from transcription.errors import TranscriptParseError
from transcription.types import Speaker, Transcript, Word

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "nlp" / "analysis.schema.json").read_text())


def _analysis() -> CallAnalysis:
    words = [
        Word(0.0, 0.4, "How", "S1"), Word(0.4, 0.7, "much", "S1"), Word(0.7, 1.2, "budget?", "S1"),
        Word(1.5, 2.0, "About", "S2", 0.8), Word(2.0, 2.6, "ten", "S2", 0.9), Word(2.6, 3.1, "thousand.", "S2"),
    ]  # fmt: skip
    transcript = Transcript(
        duration_s=4.0,
        speakers=[Speaker("S1", "rep", "Alex", 0), Speaker("S2", "customer", None, 1, 0.75)],
        words=words,
        source="audio-stereo",
    )
    questions = [Question("S1", 0.0, 1.2, "How much budget?", "open")]
    return CallAnalysis(
        transcript=transcript,
        questions=questions,
        trackers=[TrackerHit("budget", "S1", 0.0, 1.2, "How much budget?", "phrase", "budget")],
        next_steps=[NextStep("S2", 1.5, 3.1, "About ten thousand.", "quote", None)],
        metrics=compute_metrics(transcript, questions, {}),
    )


def test_to_dict_matches_schema_and_round_trips() -> None:
    data = _analysis().to_dict()
    jsonschema.validate(data, SCHEMA)
    assert [s["talk_time_s"] for s in data["speakers"]] == [1.2, 1.6]
    assert data["turns"] == [
        {"speaker": "S1", "start": 0.0, "end": 1.2, "text": "How much budget?"},
        {"speaker": "S2", "start": 1.5, "end": 3.1, "text": "About ten thousand."},
    ]
    again = CallAnalysis.from_dict(json.loads(json.dumps(data)))
    assert again.to_dict() == data


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"speakers": [], "duration_s": 1},
        {"speakers": [{"id": "S1"}], "words": [{"start": "x"}], "duration_s": 1},
    ],
)
def test_from_dict_rejects_malformed_input(broken: dict[str, object]) -> None:
    with pytest.raises(TranscriptParseError):
        CallAnalysis.from_dict(broken)
