"""Due dates: every rule of `nlp.brief.dates`, English and Chinese, against a fixed call date."""

from __future__ import annotations

import datetime as dt

import pytest

from nlp.brief.dates import best_due, date_phrases, due_iso, resolve_due, specificity, zh_number

MONDAY = dt.date(2026, 12, 7)  # a Monday
FRIDAY = dt.date(2026, 12, 11)


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        # weekdays: the first such day after the call's day, never the call's own day
        ("Friday", "2026-12-11"),
        ("by Friday", "2026-12-11"),
        ("on Monday", "2026-12-14"),
        ("this Friday", "2026-12-11"),
        ("Monday morning", "2026-12-14"),
        ("next Thursday", "2026-12-17"),
        ("next Thursday at two", "2026-12-17"),
        ("Tuesday next week", "2026-12-15"),
        ("a week from Friday", "2026-12-18"),
        ("by end of day Monday", "2026-12-14"),
        ("close of business Tuesday", "2026-12-08"),
        # the call's day and the next ones
        ("today", "2026-12-07"),
        ("tonight", "2026-12-07"),
        ("by end of day", "2026-12-07"),
        ("EOD", "2026-12-07"),
        ("this afternoon", "2026-12-07"),
        ("after the call", "2026-12-07"),
        ("tomorrow", "2026-12-08"),
        ("first thing tomorrow", "2026-12-08"),
        ("the day after tomorrow", "2026-12-09"),
        # counted days
        ("in two weeks", "2026-12-21"),
        ("in a couple of weeks", "2026-12-21"),
        ("in three days", "2026-12-10"),
        ("in ten days", "2026-12-17"),
        ("a week from today", "2026-12-14"),
        ("within 24 hours", "2026-12-08"),
        ("2 weeks from now", "2026-12-21"),
        ("in a fortnight", "2026-12-21"),  # British and Australian
        ("a fortnight from today", "2026-12-21"),
        ("a week on Friday", "2026-12-18"),  # "a week from Friday"
        # ends of periods
        ("end of the week", "2026-12-11"),
        ("by the end of the week", "2026-12-11"),
        ("end of next week", "2026-12-18"),
        ("end of the month", "2026-12-31"),
        ("the end of November", "2027-11-30"),
        ("end of the quarter", "2026-12-31"),
        ("end of Q1", "2027-03-31"),
        ("end of the year", "2026-12-31"),
        ("the end on the month", "2026-12-31"),  # as a recogniser may write "the end of the month"
        ("end on next week", "2026-12-18"),
        # days of the month and explicit dates
        ("the 12th", "2026-12-12"),
        ("the first", "2027-01-01"),
        ("by the 1st", "2027-01-01"),
        ("Monday the sixteenth", "2026-12-16"),
        ("Thursday the 10th", "2026-12-10"),
        ("Friday the twenty-fourth", "2026-12-24"),
        ("December 12", "2026-12-12"),
        ("Dec 15th", "2026-12-15"),
        ("June the ninth", "2027-06-09"),
        ("the fifteenth of July", "2027-07-15"),
        ("Tuesday, November seventeenth", "2027-11-17"),
        ("12/15", "2026-12-15"),
        ("15/12", "2026-12-15"),
        ("1/5", "2027-01-05"),
        ("2026-12-20", "2026-12-20"),
        # Chinese
        ("明天", "2026-12-08"),
        ("后天", "2026-12-09"),
        ("大后天", "2026-12-10"),
        ("今天下班前", "2026-12-07"),
        ("下周二", "2026-12-15"),
        ("下个星期二", "2026-12-15"),
        ("周五", "2026-12-11"),
        ("这周五", "2026-12-11"),
        ("星期天", "2026-12-13"),
        ("本月底", "2026-12-31"),
        ("月底前", "2026-12-31"),
        ("下个月底", "2027-01-31"),
        ("12月15日", "2026-12-15"),
        ("十二月二十号", "2026-12-20"),
        ("2027年1月5日", "2027-01-05"),
        ("15号", "2026-12-15"),
        ("两周后", "2026-12-21"),
        ("三天内", "2026-12-10"),
        ("年底", "2026-12-31"),
    ],
)
def test_phrase_resolves(phrase: str, due: str) -> None:
    assert due_iso(phrase, MONDAY) == due


@pytest.mark.parametrize(
    "phrase",
    ["next week", "this week", "sometime next week", "early next week", "next month", "in January", "next year",
     "next quarter", "soon", "right away", "a few days", "the weekend", "thirty minutes", "one year", "asap",
     "下周", "下个月", "这周末", "尽快", "whenever suits you"],
)
def test_vague_or_unparseable_phrases_resolve_to_none(phrase: str) -> None:
    assert due_iso(phrase, MONDAY) is None


def test_a_weekday_said_on_that_day_is_a_week_later() -> None:
    assert due_iso("Friday", FRIDAY) == "2026-12-18"
    assert due_iso("this Friday", FRIDAY) == "2026-12-18"
    assert due_iso("next Friday", FRIDAY) == "2026-12-18"
    assert due_iso("周五", FRIDAY) == "2026-12-18"


def test_next_weekday_is_in_the_following_week() -> None:
    # Said on a Monday, "next Thursday" is the Thursday of next week, not this week's.
    assert due_iso("next Thursday", MONDAY) == "2026-12-17"
    assert due_iso("Thursday", MONDAY) == "2026-12-10"
    # "a week from Friday" is the Friday after the coming one, and the phrase is found whole.
    assert date_phrases("I'll have the summary to you a week from Friday, so you can read it.") == [
        "a week from Friday"]
    assert date_phrases("Let's get you on a call in a fortnight.") == ["in a fortnight"]


def test_dates_pass_year_ends() -> None:
    new_years_eve = dt.date(2026, 12, 31)
    assert due_iso("tomorrow", new_years_eve) == "2027-01-01"
    assert due_iso("January 5", new_years_eve) == "2027-01-05"
    assert due_iso("the 2nd", new_years_eve) == "2027-01-02"
    assert due_iso("end of the month", dt.date(2027, 2, 10)) == "2027-02-28"


def test_no_call_date_or_phrase_gives_none() -> None:
    assert resolve_due("tomorrow", None) is None
    assert resolve_due(None, MONDAY) is None
    assert resolve_due("", MONDAY) is None


def test_resolution_is_deterministic() -> None:
    assert {due_iso("next Thursday at two", MONDAY) for _ in range(5)} == {"2026-12-17"}


@pytest.mark.parametrize(("text", "number"), [("十五", 15), ("二十一", 21), ("十", 10), ("两", 2), ("12", 12), ("三十", 30)])
def test_chinese_numbers(text: str, number: int) -> None:
    assert zh_number(text) == number


def test_date_phrases_are_found_in_sentences() -> None:
    assert date_phrases("I'll send you the ROI sheet and a sample contract by Thursday.") == ["by Thursday"]
    assert date_phrases("Let's aim for Monday the sixteenth at two, with Frank.") == ["for Monday the sixteenth"]
    assert date_phrases("I'll send the order form by end of day Monday, and the answer by Wednesday.") == [
        "by end of day Monday", "by Wednesday"]
    assert date_phrases("我们下周二再聊。") == ["下周二"]
    assert date_phrases("Could we get thirty minutes with Frank?") == []
    assert date_phrases("I'll extend it to the end on the month, so you have time.") == ["end on the month"]
    # "right after this call" is the call's day; "the second order form" is no day of the month.
    assert date_phrases("I'll send the order form right after this call.") == ["right after this call"]
    assert date_phrases("I'll send the renewal tomorrow, and the second order form too.") == ["tomorrow"]
    assert date_phrases("Let's do the first step on Monday, and I'll know by the third, then.") == [
        "on Monday", "by the third"]


def test_a_weekday_with_a_day_number_is_that_date_only_when_they_agree() -> None:
    # The 28th of December 2026 is a Monday, the 24th a Thursday (the call: Monday the 7th).
    assert date_phrases("How about the week after, Monday, 28?") == ["Monday, 28"]
    assert due_iso("Monday, 28", MONDAY) == "2026-12-28"
    assert due_iso("for Thursday, but 24th", MONDAY) == "2026-12-24"  # a recogniser's "Thursday the 24th"
    # A number that is not that weekday's date was something else: the weekday alone counts.
    assert due_iso("for Friday, but 24th", MONDAY) == "2026-12-11"
    assert date_phrases("Thursday 2 pm works for us.") == ["Thursday"]
    assert due_iso("Monday, 14", MONDAY) == "2026-12-14"


def test_the_most_specific_phrase_wins() -> None:
    assert specificity("the twenty-third") == 3
    assert specificity("Friday") == 2
    assert specificity("end of the month") == 1
    assert best_due(["next week", "Tuesday the 15th"], MONDAY) == ("Tuesday the 15th", "2026-12-15")
    assert best_due(["by Friday", "tomorrow"], MONDAY) == ("by Friday", "2026-12-11")
    assert best_due(["soon"], MONDAY) == ("soon", None)
    # "until" says how long something holds: another date said with the step is its due date.
    assert best_due(["until January 15th", "by Monday"], MONDAY) == ("by Monday", "2026-12-14")
    assert best_due(["until Friday"], MONDAY) == ("until Friday", "2026-12-11")
    assert best_due([], MONDAY) == (None, None)
