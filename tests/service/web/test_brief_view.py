"""The call page's brief and transcript files without a browser: what the brief view makes of a brief
(chapters with their times, pains, objections and next steps with owner and due date, the other
kinds compact, the e-mail draft, the empty states), and the TXT, VTT and DOCX files of the sample
call read back with the project's own VTT reader and python-docx."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from service.web.brief_view import NO_BRIEF, NOTHING_FOUND, UNREADABLE, build_brief_view, day
from service.web.transcript_files import CallHeading, transcript_docx, transcript_txt, transcript_vtt
from tests.service.web.call_data import CALL_DATE, EMAIL, SUMMARY, sample_brief, with_summary

SAMPLES = Path(__file__).parents[3] / "samples"


@cache
def _sample() -> dict[str, Any]:
    from nlp.analysis import analyze_transcript
    from transcription.transcript_io import read_vtt

    data: dict[str, Any] = analyze_transcript(read_vtt(SAMPLES / "discovery_call.vtt")).to_dict()
    return data


def sample() -> dict[str, Any]:
    return json.loads(json.dumps(_sample()))


def test_the_brief_view_of_the_sample_call() -> None:
    analysis = sample()
    view = build_brief_view(sample_brief(analysis), analysis["speakers"], analysis["duration_s"])
    assert view.exists and view.message == ""
    assert [(c.title, c.span) for c in view.chapters] == [
        ("Why now: win rate and coaching", "0:00–0:47"), ("Recording, Salesforce and outbound calls", "0:47–1:09"),
        ("How Talktrack works", "1:09–1:53"), ("Price, budget and timing", "1:53–2:23"),
        ("Proposal and follow-up", "2:23–2:44")]
    assert view.chapters[0].x == round(0.6 * 1000 / analysis["duration_s"], 2)
    sections = {s.kind: s for s in view.sections}
    assert [s.heading for s in view.sections] == ["Pains", "Objections", "Next steps"]
    assert [(li.at, li.text) for li in sections["pain"].lines] == [
        ("0:16", "our win rate dropped from thirty percent to about twenty"),
        ("0:47", "the dialer records everything, but nobody listens to them")]
    assert [(li.text, li.detail) for li in sections["objection"].lines] == [
        ("both were over our budget", "price"), ("we can't do anything before next quarter", "timing")]
    steps = sections["next_step"].lines
    assert [(li.owner, li.due, li.due_iso, li.date_phrase) for li in steps] == [
        ("Alex Rivera (Acme)", "Fri 4 Dec 2026", "2026-12-04", "by Friday"),
        ("Both", "Thu 10 Dec 2026", "2026-12-10", "next Thursday")]
    assert steps[0].start == next(w["start"] for w in analysis["words"] if w["word"] == "I'll")
    # The other kinds, compact: needs, the price quoted (with its amount), competitors, open questions.
    assert [(li.label, li.at, li.detail) for li in view.others] == [
        ("Need", "0:37", ""), ("Price quoted", "1:56", "amount 60"), ("Competitor", "2:02", "Gong"),
        ("Open question", "2:19", "")]
    assert (view.email_subject, view.email_body) == (EMAIL["subject"], EMAIL["body"])
    assert view.call_date == "Tue 1 Dec 2026 (when it was recorded)" and CALL_DATE == "2026-12-01"
    assert view.n_items == 10


def test_the_brief_view_of_a_generated_summary() -> None:
    """Each sentence with its cited moments (in time order, each naming what it cites), and one note:
    the model and how many sentences the grounding check dropped. No summary: nothing."""
    analysis = sample()
    brief = with_summary(sample_brief(analysis))
    view = build_brief_view(brief, analysis["speakers"], analysis["duration_s"])
    assert view.summary is not None
    assert [li.text for li in view.summary.lines] == [text for text, _ in SUMMARY]
    assert [[(c.at, c.about) for c in li.cites] for li in view.summary.lines] == [
        [("0:16", "Pain: our win rate dropped from thirty percent to about twenty")],
        [("2:02", "Competitor: We looked at Gong and at Chorus last year"), ("2:06", "Objection: both were over our budget")],
        [("2:25", "Next step: I'll send the proposal by Friday, with a two year option.")]]
    assert view.summary.lines[1].start == brief["items"][4]["start"]
    assert view.summary.note == ("Written by llama3.1:8b from the items below; 1 sentence dropped by the grounding "
                                 "check (every sentence must be said at the moments it cites).")
    assert build_brief_view(sample_brief(analysis), analysis["speakers"], 10.0).summary is None
    # Every sentence dropped, two answers unreadable, no model named, odd cites: said so, nothing invented.
    odd = build_brief_view({**brief, "summary": [{"text": " ", "cites": []}, {"text": "Kept.", "cites": [
        {"item": 99, "start": 4}, {"item": "x", "start": "nan"}, "junk"]}], "summary_dropped": 3,
        "summary_unreadable": 2, "summary_model": None}, [], 10.0)
    assert odd.summary is not None
    assert [(li.text, [(c.at, c.about) for c in li.cites]) for li in odd.summary.lines] == [("Kept.", [("0:04", "")])]
    assert odd.summary.note == ("Written by a language model from the items below; 3 sentences dropped by the "
                                "grounding check (every sentence must be said at the moments it cites); 2 answers "
                                "could not be read.")
    empty = build_brief_view({**brief, "summary": [], "summary_dropped": 2}, [], 10.0)
    assert empty.summary is not None and empty.summary.lines == []


def test_the_brief_view_empty_states() -> None:
    analysis = sample()
    old = build_brief_view(None, analysis["speakers"], 10.0)
    assert (old.exists, old.message) == (False, NO_BRIEF)
    assert build_brief_view(["not", "a", "brief"], [], 10.0).message == UNREADABLE
    silent = build_brief_view({"version": 1, "chapters": [], "items": [], "email": None,
                               "empty_reason": "No speech was found in this call."}, [], 10.0)
    assert (silent.exists, silent.message, silent.chapters) == (True, "No speech was found in this call.", [])
    quiet = build_brief_view({"chapters": [{"title": "Small talk", "start": 0, "end": 9.5}], "items": []}, [], 10.0)
    assert quiet.message == NOTHING_FOUND and [c.span for c in quiet.chapters] == ["0:00–0:09"]
    # Lines the page cannot place (no time, no text) are left out, not shown wrong; an odd due date shows none.
    odd = build_brief_view({"items": [{"kind": "pain", "text": "no time"}, {"kind": "pain", "start": 3, "text": " "},
                                      {"kind": "next_step", "text": "Call back", "start": 4, "end": 5, "owner": "customer",
                                       "due": "someday", "date_phrase": "someday"}]},
                           [{"id": "S2", "role": "customer", "name": None}], 10.0)
    step = odd.sections[2].lines
    assert [(li.text, li.owner, li.due, li.date_phrase) for li in step] == [("Call back", "Customer", "", "someday")]
    assert odd.sections[0].lines == [] and day("2026-02-30") == ""


HEADING = CallHeading("Discovery call with Jordan", ["Dana Rep", "2026-12-01 15:00", "2:44"])


def test_transcript_as_text_and_vtt(tmp_path: Path) -> None:
    from transcription.transcript_io import read_vtt

    analysis = sample()
    text = transcript_txt(HEADING, analysis).splitlines()
    assert text[:4] == ["Discovery call with Jordan", "Dana Rep · 2026-12-01 15:00 · 2:44", "",
                        "[0:00] Alex Rivera (Acme): Hi Jordan, this is Alex Rivera from Acme. Thanks for making time today."]
    assert text[4] == "[0:06] Jordan Lee: Hi Alex, happy to chat."
    assert len(text) == 3 + len(analysis["turns"])
    vtt = transcript_vtt(analysis)
    assert vtt.startswith("WEBVTT\n\n00:00:00.600 --> ")
    path = tmp_path / "call.vtt"
    path.write_text(vtt, encoding="utf-8")
    back = read_vtt(path)
    assert [w.word for w in back.words] == [w["word"] for w in analysis["words"]]
    assert sorted(s.name for s in back.speakers) == ["Alex Rivera (Acme)", "Jordan Lee"]


def test_transcript_as_a_word_document() -> None:
    from docx import Document

    analysis = sample()
    analysis["turns"][1]["text"] = "Hi Alex,\x0b happy to chat."  # a control character Word cannot hold
    doc = Document(io.BytesIO(transcript_docx(HEADING, analysis)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "Discovery call with Jordan" and doc.paragraphs[0].style.name == "Heading 1"
    assert paragraphs[1] == "Dana Rep · 2026-12-01 15:00 · 2:44"
    assert paragraphs[2] == "0:00 Alex Rivera (Acme): Hi Jordan, this is Alex Rivera from Acme. Thanks for making time today."
    assert paragraphs[3] == "0:06 Jordan Lee: Hi Alex,  happy to chat."
    assert doc.paragraphs[3].runs[0].bold and not doc.paragraphs[3].runs[1].bold
    assert len(paragraphs) == 2 + len(analysis["turns"])
    assert (doc.core_properties.title, doc.core_properties.author) == ("Discovery call with Jordan", "Talktrack")
