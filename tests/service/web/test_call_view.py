"""The call page's view model without a browser: overlapped speech in both timeline lanes, the
interruption counts in the metrics panel, and the "Speaker count unsure" card in each language."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import cast

from service.web.call_view import build_call_view
from service.web.i18n import rendering_in
from service.web.pages import TEMPLATES
from service.web.wording import web_text
from tests.transcription.test_speaker_count import _settle, _voices, _words_and_turns
from transcription.diarization import SpeakerSegment
from transcription.diarization.count import MERGE_STRETCHES, UNHINTED, speakers_note_of
from transcription.diarization.stretches import VoiceSplit
from transcription.types import SpeakersNote

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


def _notes() -> dict[str, SpeakersNote]:
    """The speakers note of each unsure count, as `settle_count` decides it on the dialogue of
    tests/transcription/test_speaker_count.py and `speakers_note_of` writes it; "answered" is a
    split whose customer left one of three questions open (67 %), "few" a hinted two that found no
    split to weigh."""
    end = _words_and_turns()[1][-1][1]
    found = [SpeakerSegment(0.3, 10.0, "S1"), SpeakerSegment(10.0, 10.8, "S2"), SpeakerSegment(10.8, end, "S1"),
             SpeakerSegment(5.0, 5.5, "S2", overlap=True)]  # a small second voice, as the merge test has it
    split = _settle(_voices(voice_gap=UNHINTED.voice_gap * 1.05))
    assert split.dialogue is not None
    decisions = {
        "split": split,
        "merged": _settle(_voices(voice_gap=1.4, clustered=MERGE_STRETCHES), found=found),
        "one_voice": _settle(_voices(voice_gap=1.0), expected=2, hinted=True),
        "answered": replace(split, dialogue=replace(split.dialogue, questions=3, answered=2 / 3)),
        "few": _settle(cast(VoiceSplit, None), expected=2, hinted=True),
    }
    notes = {name: speakers_note_of(d) for name, d in decisions.items()}
    assert all(n is not None for n in notes.values())
    return {name: n for name, n in notes.items() if n is not None}


def _card(note: Mapping[str, object] | None, locale: str) -> str:
    """The "Speaker count unsure" card of templates/call.html (the real lines, cut from the file)
    rendered in `locale` for the call page of an analysis with `note`."""
    source = (Path(__file__).parents[3] / "service/web/templates/call.html").read_text()
    card = re.search(r"{% if view\.speakers_note %}<section.*?</section>{% endif %}", source, re.S)
    assert card is not None
    view = build_call_view({**ANALYSIS, "speakers_note": note}, {})
    with rendering_in(locale):
        return TEMPLATES.env.from_string(card.group(0)).render(view=view, locale=locale, can_relabel=True)


def _why(card: str) -> str:
    match = re.search(r"</h2>\s*<p>(.*?)</p>", card, re.S)
    assert match is not None
    return html.unescape(match.group(1))


def test_the_speakers_note_reads_in_chinese_with_its_numbers() -> None:
    notes = _notes()
    assert {n.case for n in notes.values()} == {"split", "merged", "one_voice"}
    zh = {name: _card(n.to_dict(), "zh_CN") for name, n in notes.items()}
    assert "说话人数量不确定" in zh["split"]
    assert _why(zh["split"]) == (
        "根据各段话的声音、音高和对话的来回，识别出两位说话人（两组话语的声音差距为 1.52，音高差距为 0.50"
        "（同一个声音的声音差距约为 1、音高差距低于 2.5，且两者很少同时偏高）；在停顿或句末换了 9 次说话人；"
        "共 4 个问题，其中 100% 由另一个声音回答）；证据离判定标准很近，所以这样拆分可能有误。")
    assert _why(zh["merged"]).startswith("声音起初分出了第二位说话人，但其话语很少，而各段话听起来是同一个声音（"
                                         "两组话语的声音差距为 1.40，音高差距为 0.50（")
    assert _why(zh["merged"]).endswith("），所以本通话只有一位说话人；这一判断离判定标准很近。")
    assert _why(zh["one_voice"]).startswith("只识别出一个声音，但录音里可能是两个声音相近的人（两组话语的声音差距为 1.00，")
    assert "共 3 个问题，其中 67% 由另一个声音回答" in _why(zh["answered"])
    assert _why(zh["few"]) == ("只识别出一个声音，但录音里可能是两个声音相近的人（话语太少，无法判断是否有第二个声音）；"
                               "能把第二个声音区分出来的差异太少，无法拆分。")
    for card in zh.values():  # the page's own action, never the command line's
        assert "修正说话人" in card and "talktrack" not in card and "--" not in card


def test_the_speakers_note_stays_as_the_analysis_wrote_it_in_english() -> None:
    """The English card shows the note's own English (the marked messages have exactly that English),
    and a note written before its case and evidence were kept stays English in every language."""
    for note in _notes().values():
        assert _why(_card(note.to_dict(), "en")) == note.why == web_text(note.why)
        view = build_call_view({**ANALYSIS, "speakers_note": note.to_dict()}, {})
        assert view.speakers_note is not None and str(view.speakers_note.message) == note.why
        old = {"why": note.why, "fix": note.fix}
        assert _card(old, "en") == _card(note.to_dict(), "en")
        assert _why(_card(old, "zh_CN")) == note.why
    assert _card(None, "zh_CN").strip() == ""
