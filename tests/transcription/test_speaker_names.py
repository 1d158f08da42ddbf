"""`--rep NAME` finds the rep's speaker even when the transcript adds an affiliation to the name."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcription.transcript_io import read_vtt
from transcription.types import name_matches


@pytest.mark.parametrize(
    ("label", "wanted", "expected"),
    [
        ("Alex Rivera (Acme)", "Alex Rivera", True),
        ("Alex Rivera (Acme)", "alex  rivera (acme)", True),
        ("ALEX RIVERA", "alex rivera", True),
        ("Alex Rivera", "Alex", False),
        ("Alexandra Rivera", "Alex Rivera", False),
        (None, "Alex Rivera", False),
        ("Alex Rivera", "  ", False),
    ],
)
def test_name_matches(label: str | None, wanted: str, expected: bool) -> None:
    assert name_matches(label, wanted) is expected


def test_vtt_rep_by_name_without_affiliation(tmp_path: Path) -> None:
    vtt = tmp_path / "call.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Alex Rivera (Acme)>What brought you here?\n\n"
        "00:00:02.500 --> 00:00:04.000\n<v Jordan Lee>Our reps miss quota.\n"
    )
    t = read_vtt(vtt, rep_name="Alex Rivera")
    assert [(s.name, s.role) for s in t.speakers] == [("Alex Rivera (Acme)", "rep"), ("Jordan Lee", "customer")]
    assert t.warnings == []
