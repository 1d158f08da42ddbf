"""The call page's view model without a browser: overlapped speech in both timeline lanes, and the
interruption counts in the metrics panel."""

from __future__ import annotations

from service.web.call_view import build_call_view

ANALYSIS = {
    "duration_s": 10.0,
    "speakers": [{"id": "S1", "role": "rep", "name": "Dana"}, {"id": "S2", "role": "customer", "name": None}],
    "words": [{"start": 0.0, "end": 0.5, "word": "So", "speaker": "S1"},
              {"start": 3.0, "end": 3.5, "word": "Wait", "speaker": "S2"}],
    "turns": [{"speaker": "S1", "start": 0.0, "end": 0.5, "text": "So"},
              {"speaker": "S2", "start": 3.0, "end": 3.5, "text": "Wait"}],
    "speaker_turns": [{"speaker": "S1", "start": 0.0, "end": 8.0}, {"speaker": "S2", "start": 3.0, "end": 5.0}],
    "metrics": {"interruptions_rep": 0, "interruptions_customer": 1},
}


def test_lanes_show_both_speakers_over_the_same_time() -> None:
    view = build_call_view(ANALYSIS, {})
    bars = {lane.speaker: [(b.start, b.end) for b in lane.bars] for lane in view.lanes}
    assert bars == {"S1": [(0.0, 8.0)], "S2": [(3.0, 5.0)]}
    rows = {row.name: row.value for row in view.metrics}
    assert (rows["interruptions_rep"], rows["interruptions_customer"]) == ("0", "1")


def test_an_analysis_without_speaker_turns_draws_the_transcript_turns() -> None:
    old = {k: v for k, v in ANALYSIS.items() if k != "speaker_turns"}
    bars = {lane.speaker: [(b.start, b.end) for b in lane.bars] for lane in build_call_view(old, {}).lanes}
    assert bars == {"S1": [(0.0, 0.5)], "S2": [(3.0, 3.5)]}
