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


def _w(word: str, start: float, speaker: str) -> dict[str, object]:
    return {"word": word, "start": start, "end": start + 0.3, "speaker": speaker}


# "Dana Rep: I / Customer: Nobody / Dana Rep: see." as the sample call once showed it: the rep's "I see"
# cut in two around the customer's running sentence, then a plain "mm-hmm" later on.
BACKCHANNELS = {
    "duration_s": 20.0,
    "speakers": [{"id": "S1", "role": "rep", "name": "Dana Rep"}, {"id": "S2", "role": "customer", "name": None}],
    "words": [_w("They", 0.0, "S2"), _w("never", 0.5, "S2"), _w("asked.", 1.0, "S2"), _w("I", 1.6, "S1"),
              _w("Nobody", 1.8, "S2"), _w("see.", 2.0, "S1"), _w("caught", 2.3, "S2"), _w("it.", 2.7, "S2"),
              _w("Mm-hmm.", 3.2, "S1"), _w("So", 3.5, "S2"), _w("yes.", 3.9, "S2"),
              _w("Do", 6.0, "S1"), _w("you?", 6.3, "S1"), _w("Yeah.", 7.0, "S2"), _w("Great.", 8.0, "S1")],
    "turns": [{"speaker": "S2", "start": 0.0, "end": 1.3, "text": "They never asked."},
              {"speaker": "S1", "start": 1.6, "end": 1.8, "text": "I"},
              {"speaker": "S2", "start": 1.8, "end": 2.1, "text": "Nobody"},
              {"speaker": "S1", "start": 2.0, "end": 2.3, "text": "see."},
              {"speaker": "S2", "start": 2.3, "end": 3.0, "text": "caught it."},
              {"speaker": "S1", "start": 3.2, "end": 3.5, "text": "Mm-hmm."},
              {"speaker": "S2", "start": 3.5, "end": 4.2, "text": "So yes."},
              {"speaker": "S1", "start": 6.0, "end": 6.6, "text": "Do you?"},
              {"speaker": "S2", "start": 7.0, "end": 7.3, "text": "Yeah."},
              {"speaker": "S1", "start": 8.0, "end": 8.3, "text": "Great."}],
    "metrics": {},
}


def test_backchannels_stay_inside_the_running_sentence() -> None:
    view = build_call_view(BACKCHANNELS, {})
    rows = [(t.name, t.text) for t in view.turns]
    # One customer row for the whole sentence; an answer to a question ("Yeah." after "Do you?") stays a turn.
    assert rows == [("Customer", "They never asked. Nobody caught it. So yes."), ("Dana Rep", "Do you?"),
                    ("Customer", "Yeah."), ("Dana Rep", "Great.")], rows
    first = str(view.turns[0].words_html)
    assert first.count('class="backchannel"') == 2
    assert 'Dana Rep:</span> <span class="w" data-t="1.60">I</span> <span class="w" data-t="2.00">see.</span></span>' in first
    assert first.index("asked.") < first.index(">I<") < first.index("Nobody") < first.index("caught")
    assert view.turns[0].end == 4.2
    # The analysis is unchanged: the lanes still show every turn.
    assert sum(len(lane.bars) for lane in view.lanes) == 10
