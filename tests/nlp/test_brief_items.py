"""Brief items of each kind on scripted calls: what is found, what must not be, and that every item
is grounded (its text was said by its speaker between its start and end)."""

from __future__ import annotations

import datetime as dt

import pytest

from nlp.analysis import analyze_transcript
from nlp.brief.spans import is_grounded
from nlp.brief.types import Brief, BriefItem
from tests.scripted import scripted_transcript
from transcription.types import Transcript

CALL_DATE = dt.date(2026, 12, 7)  # a Monday


def brief_of(transcript: Transcript) -> Brief:
    brief = analyze_transcript(transcript, call_date=CALL_DATE, call_date_source="argument").brief
    assert brief is not None
    for item in brief.items:
        assert is_grounded(item.text, item.start, item.end, item.speaker, transcript.words), item
        assert 0.0 <= item.confidence <= 1.0
    return brief


def items(*lines: tuple[str, str], kind: str) -> list[BriefItem]:
    return brief_of(scripted_transcript(*lines)).of_kind(kind)  # type: ignore[arg-type]


def texts(found: list[BriefItem]) -> list[str]:
    return [i.text for i in found]


def test_pains_in_the_customers_words() -> None:
    found = items(
        ("S1", "What's the biggest challenge right now?"),
        ("S2", "Our managers spend half their week building reports in spreadsheets."),
        ("S1", "And what does that cost you?"),
        ("S2", "We missed our forecast twice this year because the numbers were wrong."),
        kind="pain",
    )
    assert texts(found) == [
        "Our managers spend half their week building reports in spreadsheets",
        "We missed our forecast twice this year because the numbers were wrong",
    ]
    assert all(i.role == "customer" and i.speaker == "S2" for i in found)


def test_not_pains_negated_hypothetical_solved_or_other_customers() -> None:
    assert items(
        ("S1", "How is reporting going for you today?"),
        ("S2", "Reporting is actually fine, we fixed that last year."),
        ("S1", "A lot of our customers struggle with forecasting, their managers waste hours every week."),
        ("S2", "If we had problems with the integration, who would we call?"),
        ("S1", "Our support team, around the clock."),
        ("S2", "We used to struggle with onboarding, but that's solved now."),
        kind="pain",
    ) == []


def test_needs_and_not_needs() -> None:
    found = items(
        ("S1", "What would the new system need to do?"),
        ("S2", "It has to integrate with Salesforce, and it must support single sign-on."),
        ("S1", "Anything else?"),
        ("S2", "Ideally we'd have everything in one dashboard."),
        kind="need",
    )
    assert texts(found) == ["It has to integrate with Salesforce, and it must support single sign-on",
                            "Ideally we'd have everything in one dashboard"]
    assert items(
        ("S2", "We don't need another dashboard, we have plenty of those."),
        ("S1", "Fair enough."),
        ("S2", "I need to check with my boss first."),
        kind="need",
    ) == []


def test_what_the_product_has_to_do_is_a_need_whatever_the_verb() -> None:
    found = items(
        ("S1", "What does the new system have to do for you?"),
        ("S2", "Whatever we pick has to sync with NetSuite every night."),
        ("S2", "And this has to go through our steering committee first."),
        kind="need",
    )
    assert texts(found) == ["Whatever we pick has to sync with NetSuite every night"]


def test_objections_with_their_topic() -> None:
    found = items(
        ("S1", "The license is forty thousand dollars a year."),
        ("S2", "That's way too expensive for us."),
        ("S2", "And honestly this isn't a priority until next year."),
        ("S1", "Understood."),
        ("S2", "It's not my decision, I'd have to run it by our VP."),
        ("S2", "Can you just send me some information?"),
        kind="objection",
    )
    assert [(i.detail, i.text) for i in found] == [
        ("price", "That's way too expensive for us"),
        ("timing", "this isn't a priority until next year"),
        ("authority", "It's not my decision, I'd have to run it by our VP"),
        ("material", "Can you just send me some information"),
    ]


def test_objections_said_without_the_topic_words() -> None:
    """Buyers mostly say no without "price", "timing" or "decision"."""
    found = items(
        ("S1", "For two hundred users it comes to ninety thousand a year."),
        ("S2", "That number won't fly with our board."),
        ("S2", "And I'm not the one who signs off on software anyway."),
        ("S1", "Understood, who would that be?"),
        ("S2", "Zendesk does most of this already for us."),
        ("S2", "Nothing new gets rolled out until April."),
        ("S2", "Email me the one-pager and I'll pass it along."),
        kind="objection",
    )
    assert [i.detail for i in found] == ["price", "authority", "competition", "timing", "material"]
    assert texts(found)[0] == "That number won't fly with our board"


@pytest.mark.parametrize("line", [
    "I'm not committing to three years with a vendor we've never used.",
    "There's zero chance we switch systems during the busy season.",
    "I can't have my dispatchers learning new software in peak season.",
    "That's more than I had in my head for this.",
])
def test_a_buyer_refusing_in_the_first_person_objects(line: str) -> None:
    assert texts(items(("S1", "So that's the proposal."), ("S2", line), kind="objection")) == [line.rstrip(".")]


def test_keeping_ones_own_system_is_no_objection() -> None:
    assert items(("S2", "We're not replacing the old ERP, so it has to sync with it."),
                 ("S2", "And we're not moving ours to the cloud either."), kind="objection") == []


def test_a_condition_called_a_non_starter_is_a_need_not_an_objection() -> None:
    assert items(
        ("S1", "What would rule us out?"),
        ("S2", "If it can't sync with our ERP, it's a non-starter."),
        kind="objection",
    ) == []


def test_no_objection_in_praise_or_negated_pushback() -> None:
    brief = brief_of(scripted_transcript(
        ("S1", "It's twenty dollars per seat."),
        ("S2", "That sounds very reasonable, the price isn't the problem."),
        ("S2", "The timing is great for us actually."),
    ))
    assert brief.of_kind("objection") == []
    assert [(i.text, i.amount, i.role) for i in brief.of_kind("price")] == [("It's twenty dollars per seat", 20.0, "rep")]


def test_budget_with_its_amount() -> None:
    found = items(
        ("S1", "Do you have budget set aside for this?"),
        ("S2", "Yes, we have about fifty thousand dollars approved for this year."),
        kind="budget",
    )
    assert [(i.text, i.amount) for i in found] == [("we have about fifty thousand dollars approved for this year",
                                                    50000.0)]


@pytest.mark.parametrize(("line", "amount"), [
    ("Our CFO gave us a ceiling of three thousand a month for the whole region.", 3000.0),  # spaCy: a DATE
    ("Twelve grand is what I've got for tooling this year.", 12000.0),
    ("I had sixty thousand a year in the plan for this.", 60000.0),
    ("There's maybe four hundred a month I can play with.", 400.0),
    ("We put ninety thousand in next year's capital plan for scheduling.", 90000.0),
    ("Honestly, I had about twenty thousand a year in my head for all of it.", 20000.0),
    ("I've got twelve thousand a year for this, tops.", 12000.0),
    ("The owners gave me forty thousand for the whole project.", 40000.0),
    ("There's about thirty thousand I can spend without asking anyone.", 30000.0),
])
def test_a_budget_said_without_the_word_budget(line: str, amount: float) -> None:
    found = items(("S1", "Tell me about the schedules."), ("S2", line), kind="budget")
    assert [i.amount for i in found] == [amount]


def test_a_number_that_is_no_amount_is_no_budget() -> None:
    assert items(("S2", "We have 40 reps in the plan for next year."), kind="budget") == []
    assert items(("S2", "We've got 20,000 customers and six sites."), kind="budget") == []
    # a rival's quote is the rival's price, not the customer's budget
    assert items(("S2", "They quoted us four hundred a month, so that's the number in my head."), kind="budget") == []


@pytest.mark.parametrize(("line", "amount"), [
    ("The handheld scanners are four hundred and fifty each.", 450.0),
    ("For a park your size it's sixty thousand a season, all in.", 60000.0),
    ("Each extra site adds twenty-one hundred.", 2100.0),
])
def test_prices_by_the_piece_and_the_season(line: str, amount: float) -> None:
    brief = brief_of(scripted_transcript(("S2", "What does it cost?"), ("S1", line)))
    assert [i.amount for i in brief.of_kind("price")] == [amount]


def test_a_price_spacy_reads_as_a_date() -> None:
    brief = brief_of(scripted_transcript(("S2", "What would it cost?"),
                                         ("S1", "It's two thousand four hundred a month, with the connector included.")))
    assert [i.amount for i in brief.of_kind("price")] == [2400.0]


def test_amounts_as_a_recogniser_writes_them() -> None:
    """Whisper writes "98,000" and "1.4 million" (`transcription.asr` joins the pieces it splits
    them into): a grouped number of four digits and more is an amount like "ninety-eight thousand"."""
    brief = brief_of(scripted_transcript(
        ("S2", "So where does the price land?"),
        ("S1", "If you sign a two-year agreement, I can bring that down to 98,000 per year."),
        ("S2", "Fine. We have 30,000 approved for tooling this year."),
        ("S1", "And the module is normally 8,000, I can include it at no cost."),
    ))
    assert [(i.amount, i.role) for i in brief.of_kind("price")] == [(98000.0, "rep"), (8000.0, "rep")]
    assert [i.amount for i in brief.of_kind("budget")] == [30000.0]


@pytest.mark.parametrize(("line", "amount"), [
    ("For six stores we're at 400 and 20 a month.", 420.0),  # "four hundred and twenty"
    ("On a two-year term, I can come down to 165 per unit per month.", 165.0),
    ("For all 38 stores I can do one 85 per store per month.", 185.0),  # "one eighty-five"
    ("Then the first year comes to about 100 and 8,000 a year.", 108000.0),  # "a hundred and eight thousand"
])
def test_small_prices_as_a_recogniser_writes_them(line: str, amount: float) -> None:
    """Under a thousand, a recogniser writes a price in digits without a scale word: digits right
    before a rate ("a month", "per user", "each") or a currency are an amount; a count is not."""
    brief = brief_of(scripted_transcript(("S2", "What does it cost?"), ("S1", line)))
    assert [i.amount for i in brief.of_kind("price")] == [amount]


@pytest.mark.parametrize("line", ["We have 200 users per site and 40 reps.", "It syncs 2 per month."])
def test_a_count_is_no_price(line: str) -> None:
    brief = brief_of(scripted_transcript(("S2", "How does it scale?"), ("S1", line)))
    assert brief.of_kind("price") == []


def test_a_hyphen_inside_a_word_is_no_clause_break() -> None:
    """A long sentence is quoted by the clause around its point; "one-page" and "pre-sales" are one
    word each, so no quote starts or ends inside them (a spaced dash still breaks)."""
    from nlp.brief.spans import clause_around
    from nlp.sentences import load_spacy

    doc = load_spacy()("Okay, so first thing tomorrow morning I will put together a one-page summary with the real "
                       "pre-sales numbers from the pilot - and then I will walk your finance team through all of it "
                       "step by step whenever they have twenty minutes to spare.")
    sent = doc[:]
    numbers = next(t.i for t in doc if t.text == "numbers")
    walk = next(t.i for t in doc if t.text == "walk")
    assert clause_around(sent, numbers).text == ("first thing tomorrow morning I will put together a one-page summary "
                                                 "with the real pre-sales numbers from the pilot")
    assert clause_around(sent, walk).text == ("I will walk your finance team through all of it step by step whenever "
                                              "they have twenty minutes to spare")


def test_decision_maker_and_process() -> None:
    found = items(
        ("S1", "Who signs off on a purchase like this?"),
        ("S2", "Our CFO, Dana Whitfield, makes the final decision."),
        ("S1", "Is there a process for a purchase this size?"),
        ("S2", "Anything over ten thousand also goes through procurement."),
        kind="decision",
    )
    assert [(i.detail, i.text) for i in found] == [
        ("Dana Whitfield, Our CFO", "Our CFO, Dana Whitfield, makes the final decision"),
        ("procurement", "Anything over ten thousand also goes through procurement"),
    ]


def test_competitors_named_in_context_but_not_systems_of_record() -> None:
    found = items(
        ("S1", "Are you looking at other vendors?"),
        ("S2", "We looked at Chorus last year, and we got a quote from Outreach."),
        ("S2", "We use Salesforce for everything, and our invoices come from QuickBooks."),
        kind="competitor",
    )
    assert [i.detail for i in found] == ["Chorus", "Outreach"]
    assert found[0].text == "We looked at Chorus last year, and we got a quote from Outreach"


def test_names_a_recogniser_wrote_in_lower_case_count_right_after_a_frame_of_trying() -> None:
    found = items(
        ("S1", "Have you looked at other tools?"),
        ("S2", "We did look at samsara about two years ago, and we got a quote from triple whale."),
        ("S2", "We had clear care years ago, too much for us."),
        ("S2", "We looked at options and spreadsheets, and we had an FDA inspection last week."),
        ("S2", "We tried hard, and what about validation?"),
        kind="competitor",
    )
    assert [i.detail for i in found] == ["samsara", "triple whale", "clear care"]


def test_a_vendor_introduced_as_a_company_called_or_spelt_with_an_inner_capital() -> None:
    found = items(
        ("S1", "How are you dispatching today?"),
        ("S2", "We're also speaking with a startup called RouteHawk, and we trialled eDispatch last spring."),
        ("S2", "Our billing runs on a system called Tallyworks."),  # using a system is no competition
        ("S2", "Their sales rep quoted us forty, and another firm called us twice."),
        kind="competitor",
    )
    assert [i.detail for i in found] == ["RouteHawk", "eDispatch"]


def test_the_sellers_own_company_is_no_competitor() -> None:
    found = items(
        ("S1", "Hi Jordan, this is Alex from Brightline. Thanks for making time."),
        ("S2", "Sure. We've been evaluating Brightline for a month now and we tried Gong before."),
        kind="competitor",
    )
    assert [i.detail for i in found] == ["Gong"]


def test_someone_who_gave_us_a_figure_is_no_vendor_unless_it_was_a_quote() -> None:
    assert items(("S1", "What are you working with?"), ("S2", "Tamsin gave us a hard cap of fifty thousand for the rollout."),
                 kind="competitor") == []
    found = items(("S1", "Who else is in the picture?"), ("S2", "Clari gave us a big discount last spring."),
                  kind="competitor")
    assert [i.detail for i in found] == ["Clari"]


def test_unanswered_customer_questions_and_deflections() -> None:
    brief = brief_of(scripted_transcript(
        ("S2", "Is the data stored in Europe?"),
        ("S1", "Great question. Anyway, let me show you the dashboard."),
        ("S2", "How long does setup take?"),
        ("S1", "About two weeks for most teams."),
        ("S2", "Do you support single sign-on?"),
        ("S1", "I'm not sure, let me get back to you on that by Friday."),
    ))
    assert texts(brief.of_kind("question")) == ["Is the data stored in Europe?", "Do you support single sign-on?"]
    # The deflection is a commitment too.
    assert [(i.owner, i.due) for i in brief.of_kind("next_step")] == [("rep", "2026-12-11")]


@pytest.mark.parametrize("reply", [
    "Good question. So, on the onboarding side, would a short video help your team?",
    "Yeah, I hear that a lot. Let me just make sure we book the follow-up before you go.",
    "Honestly that one's a whole conversation, and I don't want to keep you.",
    "That's something I'd rather walk through with the contract in front of us.",
])
def test_a_reply_that_moves_on_or_puts_off_leaves_the_question_open(reply: str) -> None:
    found = items(("S2", "If a store closes early, who pays the delivery fees for that week? Us or you?"), ("S1", reply),
                  kind="question")
    # one item for the turn: the short second question is part of the first
    assert texts(found) == ["If a store closes early, who pays the delivery fees for that week?"]


def test_an_answer_after_an_acknowledgement_answers() -> None:
    assert items(("S2", "Who pays the delivery fees when a store closes early?"),
                 ("S1", "Good question. We do, the fees are on us in that case."), kind="question") == []


@pytest.mark.parametrize(
    ("lines", "kind"),
    [
        ([("S2", "It's raining again here, the kids are stuck inside all day.")], "pain"),
        ([("S1", "Most of our clients need single sign-on.")], "need"),
        ([("S1", "Is budget a concern for you?"), ("S2", "No, budget is not a problem at all.")], "objection"),
        ([("S2", "How much would that cost us?")], "budget"),
    ],
)
def test_small_talk_and_other_voices_make_no_items(lines: list[tuple[str, str]], kind: str) -> None:
    assert items(*lines, kind=kind) == []


def test_the_follow_up_email_quotes_the_customer_and_lists_steps() -> None:
    transcript = scripted_transcript(
        ("S1", "What's the biggest challenge right now?"),
        ("S2", "Our managers spend half their week building reports in spreadsheets."),
        ("S1", "I'll send you the proposal by Friday."),
        ("S2", "Great. I'll talk to my boss and get back to you next Tuesday."),
    )
    transcript.speakers[0].name = "Alex Rivera (Acme)"
    transcript.speakers[1].name = "Jordan Lee"
    brief = brief_of(transcript)
    assert brief.email is not None
    assert brief.email.subject == "Following up on our call on Monday, December 7"
    assert brief.email.body.splitlines() == [
        "Hi Jordan,",
        "",
        "Thank you for taking the time to talk with me on Monday, December 7.",
        "",
        "What I heard from you:",
        '- "Our managers spend half their week building reports in spreadsheets"',
        "",
        "What we agreed:",
        "- Me: Send you the proposal by Friday (by Friday, December 11)",
        "- You: Talk to your boss and get back to me next Tuesday (by Tuesday, December 15)",
        "",
        "Best regards,",
        "Alex Rivera",
    ]
