"""Roles from what is said (`nlp.speaker_roles`), through the real language stage (spaCy)."""

from __future__ import annotations

from nlp.analysis import CallAnalysis, analyze_transcript
from nlp.relabel import relabel
from nlp.speaker_roles import CONTENT_THRESHOLD, score_speakers
from transcription.types import Speaker, Transcript, Word


def _transcript(turns: list[tuple[str, str]], names: dict[str, str] | None = None) -> Transcript:
    words: list[Word] = []
    t = 0.0
    for speaker, text in turns:
        for tok in text.split():
            words.append(Word(round(t, 2), round(t + 0.3, 2), tok, speaker))
            t += 0.35
        t += 0.6
    ids = sorted({sp for sp, _ in turns})
    speakers = [Speaker(sid, name=(names or {}).get(sid)) for sid in ids]
    return Transcript(duration_s=t, speakers=speakers, words=words, source="vtt")


SALES = [
    ("S2", "Hello?"),
    ("S1", "Hi Maria, this is Sam from Northwind. Thanks for taking the time today."),
    ("S2", "Sure, I have about twenty minutes."),
    ("S1", "Could you walk me through how your team handles reporting right now?"),
    ("S2", "Right now we export everything into spreadsheets every Friday and it takes all afternoon."),
    ("S1", "What happens when the numbers are wrong?"),
    ("S2", "We find out at the end of the month, which is too late."),
    ("S1", "Our platform pulls the data from your CRM automatically, so nobody copies anything."),
    ("S2", "How much does it cost?"),
    ("S1", "We offer a flat price per seat. I'll send you the pricing by Friday."),
    ("S2", "Sounds good, thank you."),
]

# Two colleagues catching up: nobody introduces a company, presents or proposes a next step.
AMBIGUOUS = [
    ("S1", "Morning. Did you see the game last night?"),
    ("S2", "I did. What a finish. Did you stay up for the whole thing?"),
    ("S1", "Most of it. I fell asleep before the end though."),
    ("S2", "Same here, honestly. Are you going in on Friday?"),
    ("S1", "Probably. Are you?"),
    ("S2", "Maybe. We'll see how the week goes."),
]


def test_rep_who_introduces_the_company_and_asks_the_questions_is_the_rep() -> None:
    analysis = analyze_transcript(_transcript(SALES, {"S1": "SPEAKER_00", "S2": "SPEAKER_01"}))
    s1, s2 = analysis.transcript.speakers
    assert (s1.role, s1.role_source, s2.role, s2.role_source) == ("rep", "content", "customer", "content")
    assert s1.role_confidence is not None and s1.role_confidence > CONTENT_THRESHOLD
    assert s1.role_confidence == s2.role_confidence  # one decision: how sure the split is
    assert analysis.roles_note is None
    # The rep metrics are filled in: S1's two discovery questions count for the rep, "Hello?" and
    # "How much does it cost?" for the customer.
    assert analysis.metrics.question_count_rep == 2
    assert analysis.metrics.question_count_customer == 2
    assert analysis.metrics.talk_ratio is not None and 0.5 < analysis.metrics.talk_ratio < 0.8
    # Trackers limited to the rep's words were recomputed with the new roles.
    assert all(h.speaker == "S1" for h in analysis.trackers if h.tracker == "next_steps")


def test_the_scores_explain_themselves() -> None:
    features = {"S1": {"intro": 1.0, "thanks_time": 1.0, "questions": 1.0, "open_questions": 1.0, "pitch": 0.5,
                       "next_steps": 1.0, "vendor_address": 0.0, "situation": 0.0},
                "S2": dict.fromkeys(("intro", "thanks_time", "questions", "open_questions", "pitch", "next_steps",
                                     "vendor_address", "situation"), 0.0)}
    best, other = score_speakers(features)
    assert best.speaker == "S1" and best.p_rep > 0.99 and abs(best.p_rep + other.p_rep - 1) < 1e-9
    assert best.score == -other.score  # centred on the speakers' mean


def test_ambiguous_call_stays_unknown_with_the_reason_and_the_fix() -> None:
    analysis = analyze_transcript(_transcript(AMBIGUOUS))
    assert [s.role for s in analysis.transcript.speakers] == ["unknown", "unknown"]
    assert [s.role_source for s in analysis.transcript.speakers] == [None, None]
    assert analysis.metrics.talk_ratio is None and analysis.metrics.question_count_rep == 0
    note = analysis.roles_note
    assert note is not None
    assert "does not show clearly who the rep is" in note.why and f"{CONTENT_THRESHOLD:.2f} needed" in note.why
    assert "talktrack relabel CALL.json --speaker S1=rep --speaker S2=customer" in note.fix
    assert 'talktrack enroll "REP NAME"' in note.fix
    # It survives the JSON round trip the API and `talktrack relabel` use.
    again = CallAnalysis.from_dict(analysis.to_dict())
    assert again.roles_note == note and again.to_dict()["roles_note"] == {"why": note.why, "fix": note.fix}


def test_a_relabel_is_kept_and_marked_manual() -> None:
    analysis = analyze_transcript(_transcript(SALES))
    swapped = relabel(analysis.to_dict(), {"S1": "customer", "S2": "rep"})
    assert [(s.role, s.role_source, s.role_confidence) for s in swapped.transcript.speakers] == [
        ("customer", "manual", None), ("rep", "manual", None)]
    # Set back to unknown by a person: the scorer does not overrule them, and the note says how to fix it.
    cleared = relabel(swapped, {"S1": "unknown", "S2": "unknown"})
    assert [s.role for s in cleared.transcript.speakers] == ["unknown", "unknown"]
    assert cleared.roles_note is not None and "relabel" in cleared.roles_note.fix


def test_one_speaker_transcript_says_to_name_the_speakers() -> None:
    analysis = analyze_transcript(_transcript([("S1", text) for _, text in SALES]))
    note = analysis.roles_note
    assert note is not None and "only one speaker (S1)" in note.why
    assert "<v Alex Rivera>Hello" in note.fix


def test_one_voice_with_nearly_all_the_words_is_not_split_by_content() -> None:
    # A diarization that did not separate the voices: S2 is a 2-word fragment of a 104-word call.
    from nlp.speaker_roles import infer_roles_from_content

    turns = [("S1", text) for _, text in SALES] + [("S2", "Hi, yes.")]
    verdict = infer_roles_from_content(_transcript(turns), [], [])
    assert verdict.rep is None and verdict.reason is not None
    assert verdict.reason.startswith("one voice has 98% of the words (S1)"), verdict.reason


# A rep who never presents the product and opens with "Hi X, Y from Z": the discovery questions
# say "does your" and "do you have", which are not the customer asking about the vendor.
PLAIN_REP = [
    ("S1", "Hi Ines, Tomas from Gridwell. Is Paul joining?"),
    ("S2", "He's on his way. Go ahead."),
    ("S1", "Does your crew log the meter reads on paper today?"),
    ("S2", "Mostly. Right now we type them in on Friday."),
    ("S1", "Do you have a budget for this year?"),
    ("S2", "About thirty thousand. Can it read the old meters too?"),
    ("S1", "How much do you know about the pilot the county ran?"),
    ("S2", "Not much, our manager handled that."),
]


def test_a_plain_reps_discovery_questions_are_no_customer_cues() -> None:
    from nlp.speaker_roles import speaker_features

    analysis = analyze_transcript(_transcript(PLAIN_REP))
    features = speaker_features(analysis.transcript, analysis.questions, analysis.next_steps)
    assert features["S1"]["intro"] == 1.0 and features["S1"]["vendor_address"] == 0.0
    assert features["S2"]["vendor_address"] > 0 and features["S2"]["situation"] > 0
    assert [(s.id, s.role) for s in analysis.transcript.speakers] == [("S1", "rep"), ("S2", "customer")]


# A rep with two buyers who asks most of the questions but never introduces a company or presents
# (one buyer asks questions too): with three voices the rep's probability is shared between two
# customers (0.72 here), so the bar is "more probable than the others together" (`CONTENT_THRESHOLD_MANY`).
THREE_PEOPLE = [
    ("S1", "So what made you look at new scheduling software this spring?"),
    ("S2", "Our dispatchers rebuild the whole board by hand every morning and it takes two hours."),
    ("S3", "And the field crews never see the changes until someone phones them."),
    ("S1", "How many crews are we talking about across the two depots?"),
    ("S2", "Thirty-one crews, most of them on the north side."),
    ("S3", "Is that counting the winter crews as well?"),
    ("S2", "Yes, all of them."),
    ("S3", "And what happens to the paper job sheets then?"),
    ("S2", "We would keep them for a month or two."),
    ("S1", "Who else needs to weigh in before you pick a tool?"),
    ("S3", "Our operations director signs anything over ten thousand."),
]

# Three colleagues planning a party: no sales cue at all, so nobody is more probable than the others.
THREE_COLLEAGUES = [
    ("S1", "So the party is on the twelfth, in the back room of the cafe on Mill Street."),
    ("S2", "I can bring the speakers and a couple of extension cables from the office."),
    ("S3", "Great, and I will order the cake from the bakery near the station on Monday."),
    ("S1", "Somebody has to tell the night shift, they always hear about it last."),
    ("S2", "I will put a note on the board by the lockers this afternoon."),
    ("S3", "Perfect, that should cover it for everyone on the floor."),
]


def test_with_three_speakers_the_most_rep_like_is_the_rep_above_half() -> None:
    from nlp.speaker_roles import CONTENT_THRESHOLD_MANY

    analysis = analyze_transcript(_transcript(THREE_PEOPLE))
    roles = {s.id: (s.role, s.role_source, s.role_confidence) for s in analysis.transcript.speakers}
    assert [roles[s][0] for s in ("S1", "S2", "S3")] == ["rep", "customer", "customer"]
    confidence = roles["S1"][2]
    assert roles["S1"][1] == "content" and confidence is not None
    assert CONTENT_THRESHOLD_MANY <= confidence < CONTENT_THRESHOLD  # unknown under the two-speaker bar


def test_three_colleagues_without_sales_cues_get_no_rep() -> None:
    analysis = analyze_transcript(_transcript(THREE_COLLEAGUES))
    assert [s.role for s in analysis.transcript.speakers] == ["unknown"] * 3
    assert analysis.roles_note is not None and "does not show clearly who the rep is" in analysis.roles_note.why
