"""The brief inside the analysis: JSON round trip and schema, old JSON without a brief, the empty
call, recompute keeping the call's date, and chapters on short and long calls."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import jsonschema

from bench.sales_calls import generate_sales_call
from nlp.analysis import CallAnalysis, analyze_transcript, recompute
from nlp.brief.build import NO_SPEECH
from nlp.brief.spans import is_grounded
from nlp.relabel import relabel
from tests.scripted import scripted_transcript
from transcription.transcript_io import read_vtt
from transcription.types import Speaker, Transcript, Word

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "nlp" / "analysis.schema.json").read_text())
CALL_DATE = dt.date(2026, 12, 7)

LINES = (
    ("S1", "What's the biggest challenge right now?"),
    ("S2", "Our managers spend half their week building reports in spreadsheets."),
    ("S1", "Our plan is forty dollars per user per month."),
    ("S2", "That's more than we expected. We also got a quote from Clari."),
    ("S1", "I'll send you the proposal by Friday."),
    ("S2", "Sounds good."),
)


def test_brief_json_matches_the_schema_and_round_trips() -> None:
    analysis = analyze_transcript(scripted_transcript(*LINES), call_date=CALL_DATE, call_date_source="argument")
    data = analysis.to_dict()
    jsonschema.validate(data, SCHEMA)
    brief = data["brief"]
    assert brief["call_date"] == "2026-12-07" and brief["call_date_source"] == "argument"
    assert brief["empty_reason"] is None and brief["version"] == 1
    assert {i["kind"] for i in brief["items"]} == {"pain", "price", "objection", "competitor", "next_step"}
    step = next(i for i in brief["items"] if i["kind"] == "next_step")
    assert (step["owner"], step["due"], step["date_phrase"]) == ("rep", "2026-12-11", "by Friday")
    assert set(step) == {"kind", "text", "start", "end", "speaker", "role", "confidence", "detail", "amount", "owner",
                         "due", "date_phrase"}
    again = CallAnalysis.from_dict(json.loads(json.dumps(data)))
    assert again.brief == analysis.brief
    assert again.to_dict() == data


def test_old_analysis_json_without_a_brief_still_loads() -> None:
    data = analyze_transcript(scripted_transcript(*LINES)).to_dict()
    del data["brief"]
    jsonschema.validate(data, SCHEMA)
    old = CallAnalysis.from_dict(data)
    assert old.brief is None
    assert old.to_dict()["brief"] is None


def test_an_empty_call_says_so() -> None:
    empty = Transcript(duration_s=5.0, speakers=[], words=[], source="audio-mono")
    analysis = analyze_transcript(empty, call_date=CALL_DATE, call_date_source="file")
    assert analysis.brief is not None
    assert analysis.brief.empty_reason == NO_SPEECH == "No speech was found in this call."
    assert analysis.brief.items == [] and analysis.brief.chapters == [] and analysis.brief.email is None
    assert analysis.brief.call_date == "2026-12-07" and analysis.brief.call_date_source == "file"
    jsonschema.validate(analysis.to_dict(), SCHEMA)


def test_recompute_and_relabel_keep_the_call_date() -> None:
    analysis = analyze_transcript(scripted_transcript(*LINES), call_date=CALL_DATE, call_date_source="recorded_at")
    again = recompute(analysis)
    assert again.brief is not None
    assert (again.brief.call_date, again.brief.call_date_source) == ("2026-12-07", "recorded_at")
    swapped = relabel(analysis, {"S1": "customer", "S2": "rep"}, {})
    assert swapped.brief is not None and swapped.brief.call_date == "2026-12-07"
    # The rep's quoted price is now the customer's words: no price item, and the step is the customer's.
    assert swapped.brief.of_kind("price") == []
    assert [i.owner for i in swapped.brief.of_kind("next_step")] == ["customer"]


def test_every_item_of_the_sample_call_is_grounded() -> None:
    transcript = read_vtt(ROOT / "samples" / "discovery_call.vtt")
    analysis = analyze_transcript(transcript, call_date=CALL_DATE, call_date_source="argument")
    assert analysis.brief is not None
    kinds = {i.kind for i in analysis.brief.items}
    assert {"pain", "price", "objection", "competitor", "next_step"} <= kinds
    for item in analysis.brief.items:
        assert is_grounded(item.text, item.start, item.end, item.speaker, analysis.transcript.words), item
    assert [(i.owner, i.due) for i in analysis.brief.of_kind("next_step")] == [("rep", "2026-12-11"),
                                                                               ("both", "2026-12-17")]
    assert {i.detail for i in analysis.brief.of_kind("competitor")} == {"Gong", "Chorus"}


def _long_call(minutes: float) -> Transcript:
    """Generated sales calls end to end (the rep S1), as one call of about `minutes`."""
    words: list[Word] = []
    offset, seed = 0.0, 1
    while offset < minutes * 60:
        call = generate_sales_call(seed)
        seed += 1
        ids = {call.rep_id: "S1", call.customer_id: "S2"}
        words += [Word(round(w.start + offset, 3), round(w.end + offset, 3), w.word, ids[w.speaker])
                  for w in call.transcript.words]
        offset += call.transcript.duration_s + 1.0
    return Transcript(duration_s=offset, speakers=[Speaker("S1", "rep"), Speaker("S2", "customer")], words=words,
                      source="json")


def test_chapters_of_a_two_hour_call_are_few_and_cover_it() -> None:
    transcript = _long_call(120)
    brief = analyze_transcript(transcript, call_date=CALL_DATE).brief
    assert brief is not None
    assert 4 <= len(brief.chapters) <= 12
    assert brief.chapters[0].start == round(transcript.words[0].start, 3)
    assert brief.chapters[-1].end == round(max(w.end for w in transcript.words), 3)
    for a, b in zip(brief.chapters, brief.chapters[1:], strict=False):
        assert a.end <= b.start and b.start - a.start >= 300.0  # no chapter under 5 minutes on a 2-hour call
    for chapter in brief.chapters:
        assert 1 <= len(chapter.title.split()) <= 5 and chapter.title[0].isupper()
        assert chapter.key_phrases


def test_chapters_of_a_three_minute_call() -> None:
    transcript = _long_call(3)
    brief = analyze_transcript(transcript).brief
    assert brief is not None and 1 <= len(brief.chapters) <= 3


def test_a_call_without_a_rep_has_items_without_owners() -> None:
    transcript = scripted_transcript(*LINES)
    unlabelled = replace(transcript, speakers=[Speaker("S1"), Speaker("S2")])
    brief = analyze_transcript(unlabelled, call_date=CALL_DATE).brief
    assert brief is not None and brief.items
    # Roles may be inferred from what is said; owners are set only where a rep is known.
    analysis = analyze_transcript(unlabelled, call_date=CALL_DATE)
    has_rep = any(s.role == "rep" for s in analysis.transcript.speakers)
    assert all((i.owner is None) != has_rep for i in brief.of_kind("next_step"))
