"""Due dates: a next step's date phrase ("by Friday", "next Thursday at two", "下周二") resolved to
an ISO date relative to the day of the call.

Explicit rules for the phrases sales calls use, deterministic given the call's date; anything
else resolves to None (the phrase is kept on the item). The conventions (docs/brief.md):

- a weekday alone or with "on", "by" or "this" ("Friday", "by Friday", "this Friday", "周五",
  "这周五") is the first such day after the call's day, never the call's own day (said on a
  Friday, "Friday" is a week later);
- "next Friday" ("下周五") is the Friday of the following week (weeks start on Monday); "a week
  from Friday" is seven days after the first Friday after the call;
- a weekday with a day number ("Friday the 24th", "Monday, 28") is that date when it falls on that
  weekday, else the weekday alone (the number was something else);
- today, tonight, "end of day", "close of business", "this afternoon", "(right) after this call"
  -> the call's day; tomorrow -> the next day; "the day after tomorrow" -> the day after that;
- "in two weeks", "a week from today", "in ten days", "within 24 hours", "in a fortnight" count days
  from the call ("a week on Friday", British, is "a week from Friday");
- the end of a period is its last working day for a week ("end of the week" -> that week's
  Friday, "end of next week" -> the next week's Friday) and its last day for a month, quarter or
  year ("end of the month", "end of November", "本月底", "end of Q1" -> Q1's last day); "within this
  week" in Chinese ("这周内", "本周之内", "下周内") is the end of that week, "这个月内" the month's end,
  "三个工作日内" counts working days;
- a day of the month ("the sixteenth", "15号") is its next occurrence on or after the call's day
  ("the second order form", an ordinal word before a noun, is none); a
  date without a year ("December 12", "June the ninth", "12/15", "12月15日") is the next such date
  on or after the call's day; "12/15" is month/day unless the first number cannot be a month;
- a whole period names no day: "this week", "next week", "next month", "in January", "the
  weekend", "soon", "下周", "下个月", "下个月初" resolve to None (the phrase is kept), as does anything else.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from nlp.brief.money import ZH_DIGITS

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
_MONTH_ABBREVIATIONS = (("jan",), ("feb",), ("mar",), ("apr",), (), ("jun",), ("jul",), ("aug",), ("sep", "sept"),
                        ("oct",), ("nov",), ("dec",))
MONTHS = {
    name: i
    for i, (full, short) in enumerate(zip(MONTH_NAMES, _MONTH_ABBREVIATIONS, strict=True), start=1)
    for name in (full, *short)
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15,
    "twenty": 20, "thirty": 30, "couple": 2, "a couple": 2, "a couple of": 2, "couple of": 2,
}  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip

for _tens, _base in (("twenty", 20), ("thirty", 30)):
    for _unit, _n in (("first", 1), ("second", 2), ("third", 3), ("fourth", 4), ("fifth", 5), ("sixth", 6),
                      ("seventh", 7), ("eighth", 8), ("ninth", 9)):
        if _base + _n <= 31:
            ORDINALS[f"{_tens}-{_unit}"] = _base + _n

_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
# A word a recogniser may put between a weekday and its day number ("Friday, but 24th").
_NUMBER_FILLER = "(?:but|uh|um)"
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORD_WORDS = "|".join(sorted(ORDINALS, key=len, reverse=True))
_ORD = r"\d{1,2}(?:st|nd|rd|th)?|" + _ORD_WORDS
_NUM = r"\d+|a couple of|couple of|a couple|a few|" + "|".join(k for k in NUMBER_WORDS if " " not in k)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _week_day(day: dt.date, weekday: int, weeks_ahead: int = 0) -> dt.date:
    return _monday(day) + dt.timedelta(days=7 * weeks_ahead + weekday)


def _after(day: dt.date, weekday: int, *, include_today: bool = False) -> dt.date:
    ahead = (weekday - day.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return day + dt.timedelta(days=ahead)


def _month_end(year: int, month: int) -> dt.date:
    while month > 12:
        year, month = year + 1, month - 12
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _quarter_end(day: dt.date, quarters_ahead: int = 0) -> dt.date:
    q = (day.month - 1) // 3 + quarters_ahead
    return _month_end(day.year + q // 4, (q % 4) * 3 + 3)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _next_month_day(call: dt.date, day: int) -> dt.date | None:
    """The next date with this day of the month, on or after `call`."""
    if not 1 <= day <= 31:
        return None
    year, month = call.year, call.month
    for _ in range(3):
        found = _safe_date(year, month, day)
        if found is not None and found >= call:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _next_date(call: dt.date, month: int, day: int, year: int | None = None) -> dt.date | None:
    """Month and day in the given year, else the next such date on or after `call`."""
    if year is not None:
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    found = _safe_date(call.year, month, day)
    if found is not None and found >= call:
        return found
    return _safe_date(call.year + 1, month, day)


def _count(word: str) -> int | None:
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    if word == "a few":
        return None  # too vague to date
    return NUMBER_WORDS.get(word)


def _ordinal(raw: str) -> int:
    """"12th" -> 12, "12" -> 12, "twelfth" -> 12."""
    digits = re.sub(r"\D", "", raw)
    return int(digits) if digits else ORDINALS.get(raw, 0)


def _normalise(phrase: str) -> str:
    """Lower case without punctuation and without the words that do not change the date ("of",
    "around"); "the" is kept before an ordinal word ("the first") and dropped elsewhere."""
    text = phrase.lower().replace("\u2019", "'").replace(".", " ").replace(",", " ")
    text = re.sub(r"\b(twenty|thirty)[ -](first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b", r"\1-\2", text)
    text = re.sub(rf"\bthe\b(?!\s+(?:{_ORD_WORDS})\b)", " ", text)
    text = re.sub(r"\bend on\b", "end", text)  # "the end on the month": a recogniser's "end of"
    text = re.sub(r"\ba fortnight\b", "two weeks", text)  # British and Australian: fourteen days
    text = re.sub(r"\ba week on\b", "a week from", text)  # "a week on Friday": the Friday after next
    text = re.sub(r"\b(?:of|around|about|sometime|some time|maybe|hopefully|at the latest|latest)\b", " ", text)
    return " ".join(text.split())


def _weekday_rule(m: re.Match[str], call: dt.date) -> dt.date:
    which, name = m.group("which"), m.group("wd")
    weekday = WEEKDAYS[name]
    if which == "next":
        return _week_day(call, weekday, 1)
    if which in ("this", "coming", "this coming"):
        return _after(call, weekday)
    if which in ("following", "a week from"):
        return _after(call, weekday) + dt.timedelta(days=7)
    return _after(call, weekday)


def _in(call: dt.date, count: str, unit: str) -> dt.date | None:
    """The day `count` `unit`s after the call ("two weeks", "24 hours", "ten business days")."""
    n = _count(count)
    if n is None:
        return None
    if unit.startswith("minute"):
        return call
    if unit.startswith("hour"):
        return call + dt.timedelta(days=-(-n // 24) if n > 12 else 0)
    if unit.startswith("business"):
        day = call
        while n > 0:
            day += dt.timedelta(days=1)
            n -= day.weekday() < 5
        return day
    if unit.startswith("day"):
        return call + dt.timedelta(days=n)
    if unit.startswith("week"):
        return call + dt.timedelta(days=7 * n)
    return _next_date(call, (call.month + n - 1) % 12 + 1, min(call.day, 28)) if n < 12 else None


def _weekday_number(text: str, call: dt.date) -> tuple[str, dt.date | None]:
    """"monday 28", "friday but 24th": (the text, the next date with that day of the month) when
    that date falls on that weekday; otherwise the number was something else, and the text comes
    back without it (the weekday alone counts). Any other text comes back as it is, with None."""
    m = re.search(rf"\b(?P<wd>{_WD})\s+(?:{_NUMBER_FILLER}\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?$", text)
    if m is None:
        return text, None
    day = _next_month_day(call, int(m["day"]))
    if day is not None and day.weekday() == WEEKDAYS[m["wd"]]:
        return text, day
    return text[: m.end("wd")], None


def _english(text: str, call: dt.date) -> dt.date | None:  # noqa: C901 - one table of phrase shapes
    text, agreed = _weekday_number(text, call)
    if agreed is not None:
        return agreed
    # Explicit dates first: "2026-12-15", "12/15", "december 12", "12th december", "the 12th".
    if m := re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.search(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b", text):
        a, b, year = int(m[1]), int(m[2]), int(m[3]) if m[3] else None
        month, day = (a, b) if a <= 12 else (b, a)
        return _next_date(call, month, day, year)
    if m := re.search(rf"\b(?P<mon>{_MON})\s+(?:the\s+)?(?P<day>{_ORD})\b(?:\s+(?P<year>\d{{4}}))?", text):
        return _next_date(call, MONTHS[m["mon"]], _ordinal(m["day"]), int(m["year"]) if m["year"] else None)
    if m := re.search(rf"\b(?P<day>{_ORD})\s+(?P<mon>{_MON})\b", text):
        return _next_date(call, MONTHS[m["mon"]], _ordinal(m["day"]))
    if m := re.search(rf"\b(?P<day>\d{{1,2}}(?:st|nd|rd|th))\b|\bthe (?P<word>{_ORD_WORDS})\b", text):
        return _next_month_day(call, _ordinal(m["day"] or m["word"]))
    if m := re.search(r"\bend\s+q([1-4])\b", text):
        end = _month_end(call.year, int(m[1]) * 3)
        return end if end >= call else _month_end(call.year + 1, int(m[1]) * 3)
    # Weekdays: "next thursday", "this friday", "monday", "friday next week", "end of day monday".
    if re.search(r"\bday after tomorrow\b", text):
        return call + dt.timedelta(days=2)
    if m := re.search(rf"\b(?P<wd>{_WD})\s+next\s+week\b", text):
        return _week_day(call, WEEKDAYS[m["wd"]], 1)
    if m := re.search(rf"\b(?P<wd>{_WD})\s+(?:this|of this)\s+week\b", text):
        return _after(call, WEEKDAYS[m["wd"]], include_today=True)
    if m := re.search(rf"\b(?:(?P<which>next|this coming|this|coming|following|a week from)\s+)?(?P<wd>{_WD})\b", text):
        return _weekday_rule(m, call)
    # "in two weeks", "within three days", "two weeks from now", "within 24 hours"; a bare length
    # ("thirty minutes", "one year") is not a date.
    unit = r"(?P<unit>hours?|days?|business days?|weeks?|months?|minutes?)"
    if m := (re.search(rf"\b(?:in|within|after)\s+(?P<n>{_NUM})\s+{unit}\b", text)
             or re.search(rf"\b(?P<n>{_NUM})\s+{unit}\s+(?:from now|from today|out|later|time)\b", text)):
        return _in(call, m["n"], m["unit"])
    if re.search(r"\b(?:in|within)\s+a\s+week\b|\ba week from (?:today|now)\b", text):
        return call + dt.timedelta(days=7)
    # Relative days.
    if re.search(r"\btomorrow\b", text):
        return call + dt.timedelta(days=1)
    if re.search(r"\b(?:today|tonight|eod|cob|end (?:day|business)|close (?:day|business)|this (?:morning|afternoon|evening)|"
                 r"later today|after (?:this|our)? ?(?:call|meeting|demo)|right after)\b", text):
        return call
    # The end of a period is its last working day (weeks) or its last day (months, quarters, years).
    if re.search(r"\b(?:end|close)\s+next week\b", text):
        return _week_day(call, 4, 1)
    if re.search(r"\b(?:end|close)\s+(?:this\s+)?week\b|\bweek's end\b", text):
        return max(call, _week_day(call, 4))
    if re.search(r"\bend\s+next month\b", text):
        return _month_end(call.year, call.month + 1)
    if re.search(r"\bend\s+(?:this\s+)?month\b|\bmonth end\b", text):
        return _month_end(call.year, call.month)
    if re.search(r"\bend\s+next quarter\b", text):
        return _quarter_end(call, 1)
    if re.search(r"\bend\s+(?:this\s+)?quarter\b|\bquarter end\b", text):
        return _quarter_end(call)
    if re.search(r"\bend\s+(?:this\s+)?year\b|\byear end\b", text):
        return dt.date(call.year, 12, 31)
    if m := re.search(rf"\bend\s+(?P<mon>{_MON})$", text):
        month = MONTHS[m["mon"]]
        return _month_end(call.year + (month < call.month), month)
    # A whole period ("next week", "this month", "in January", "next quarter") names no day.
    return None


# Chinese: numerals, weekdays and the phrases of a sales call.
_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}


def zh_number(text: str) -> int | None:
    """"十五" -> 15, "二十一" -> 21, "12" -> 12, "两" -> 2; None when not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in ZH_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        value = 0
        for c in text:
            value = value * 10 + ZH_DIGITS[c]
        return value
    tens, _, units = text.partition("十")
    return (ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (ZH_DIGITS.get(units, 0) if units else 0)


_ZH_NUM = r"[0-9零〇一二两三四五六七八九十]+"
_ZH_WEEK = r"(?:周|星期|礼拜)"


def _chinese(text: str, call: dt.date) -> dt.date | None:  # noqa: C901 - one table of phrase shapes
    if m := re.search(rf"(?:(?P<y>\d{{4}})年)?(?P<m>{_ZH_NUM})月(?P<d>{_ZH_NUM})[日号]", text):
        month, day = zh_number(m["m"]), zh_number(m["d"])
        if month is None or day is None:
            return None
        return _next_date(call, month, day, int(m["y"]) if m["y"] else None)
    if "大后天" in text:
        return call + dt.timedelta(days=3)
    if "后天" in text:
        return call + dt.timedelta(days=2)
    if "明天" in text or "明早" in text or "明晚" in text:
        return call + dt.timedelta(days=1)
    if any(w in text for w in ("今天", "今晚", "今早", "下班前", "会后", "今日")):
        return call
    if m := re.search(rf"(?P<n>{_ZH_NUM})\s*(?:个)?(?P<unit>天|周|星期|礼拜|月|工作日)(?:后|内|以内|之内)", text):
        n = zh_number(m["n"])
        if n is None:
            return None
        unit = m["unit"]
        if unit == "工作日":
            return _in(call, str(n), "business days")
        if unit == "天":
            return call + dt.timedelta(days=n)
        if unit == "月":
            return _next_date(call, (call.month + n - 1) % 12 + 1, min(call.day, 28)) if n < 12 else None
        return call + dt.timedelta(days=7 * n)
    if m := re.search(rf"(?P<which>下下|下|这|本|这个|下个)?(?:个)?{_ZH_WEEK}(?P<d>[一二三四五六日天末])", text):
        weekday, which = _ZH_WEEKDAY[m["d"]], m["which"]
        if which == "下下":
            return _week_day(call, weekday, 2)
        if which in ("下", "下个"):
            return _week_day(call, weekday, 1)
        if m["d"] == "末":
            return None  # the weekend names no day
        return _after(call, weekday)
    # "这周内" / "本周之内" (within this week): by the end of the week, its Friday, as "end of the week".
    if re.search(rf"下(?:个)?{_ZH_WEEK}(?:内|之内|以内)", text):
        return _week_day(call, 4, 1)
    if re.search(rf"(?:(?:这|本)(?:个)?{_ZH_WEEK}|^周)(?:内|之内|以内)", text):
        return max(call, _week_day(call, 4))
    if re.search(r"(?:这个|本)月(?:内|之内|以内)", text):
        return _month_end(call.year, call.month)
    if re.search(r"下(?:个)?月底", text):
        return _month_end(call.year, call.month + 1)
    if re.search(r"(?:这个|本)?月底", text):
        return _month_end(call.year, call.month)
    if re.search(r"(?:本|这个)?季度末", text):
        return _quarter_end(call)
    if "年底" in text:
        return dt.date(call.year, 12, 31)
    if re.search(rf"下(?:个)?{_ZH_WEEK}|(?:这|本)(?:个)?{_ZH_WEEK}|周内|下(?:个)?月|(?:这个|本)月|季度", text):
        return None  # a whole week or month names no day
    if m := re.search(rf"(?P<d>{_ZH_NUM})[日号]", text):
        day = zh_number(m["d"])
        return None if day is None else _next_month_day(call, day)
    return None


_WDF = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONF = ("january|february|march|april|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|"
         "jul|aug|sept|sep|oct|nov|dec")
_ORD_ANY = (r"\d{1,2}(?:st|nd|rd|th)|(?:twenty|thirty)[ -](?:first|second|third|fourth|fifth|sixth|seventh|eighth|"
            r"ninth)|" + _ORD_WORDS)
# A day number right after a weekday, bare or after a word a recogniser put there ("Monday, 28",
# "Friday, but 24th"): the date when it falls on that weekday (`_weekday_number`), else the weekday.
_WEEKDAY_NUMBER = rf",?\s+(?:(?:the|{_NUMBER_FILLER})\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?!\s*(?::|am\b|pm\b|a\.m|p\.m|o'clock|\d))"
# An ordinal word is a day of the month only when no noun follows it: "by the third" is a date,
# "the second order form" and "the first step" are not (a digit ordinal, "the 2nd", always is).
_NOT_BEFORE_A_NOUN = (r"(?!\s+(?!(?:of|at|or|and|then|is|would|works|work|if|so|that|we|i|you|okay|ok|in|by|to|"
                      r"please|maybe|latest|for|with|because|but|when|as|which|it|fine|good)\b)[a-z])")
_PREFIX = (r"(?:(?:a week from|by|on|before|until|till|for|from|this coming|this|next|coming|early|mid|late|end of day|"
           r"end of the day|close of business|eod|cob|end of|the end of|by the end of|at the end of|first thing)\s+)*")
_FINDER = re.compile(
    rf"\b{_PREFIX}(?:"
    rf"(?:{_WDF})(?:,?\s+(?:the\s+)?(?:{_ORD_ANY})(?:\s+of\s+(?:{_MONF}|may))?|,?\s+(?:{_MONF}|may)\s+(?:the\s+)?"
    rf"(?:{_ORD_ANY}|\d{{1,2}})|{_WEEKDAY_NUMBER})?(?:\s+next\s+week|\s+this\s+week)?(?:\s+(?:morning|afternoon|evening))?"
    rf"|(?:{_MONF}|may)\s+(?:the\s+)?(?:{_ORD_ANY}|\d{{1,2}})\b"
    rf"|(?:the\s+)?(?:{_ORD_ANY})\s+of\s+(?:{_MONF}|may)"
    rf"|the\s+(?:\d{{1,2}}(?:st|nd|rd|th)|(?:{_ORD_ANY}){_NOT_BEFORE_A_NOUN})"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{4}-\d{2}-\d{2}"
    r"|day after tomorrow|tomorrow(?:\s+(?:morning|afternoon|evening))?|today|tonight|eod"
    r"|(?:right\s+)?after\s+(?:this|the|our)\s+(?:call|meeting|demo)|right\s+after\s+this"
    r"|end (?:of|on) (?:the\s+)?(?:day|week|month|quarter|year)"  # "end on": how a recogniser may hear "end of"
    r"|(?:early|mid|late|end of|end on)?\s*next\s+(?:week|month|quarter)|this\s+(?:week|month|quarter)|the following week"
    rf"|(?:in|within)\s+a\s+fortnight|a\s+fortnight\s+from\s+(?:now|today)|a\s+(?:week|fortnight)\s+on\s+(?:{_WDF})"
    rf"|(?:in|within)\s+(?:{_NUM})\s+(?:hours?|days?|business days?|weeks?|months?)"
    rf"|(?:{_NUM})\s+(?:days?|weeks?)\s+from\s+(?:now|today)"
    rf"|(?:{_MONF})"
    r")\b"
)
_ZH_FINDER = re.compile(
    r"(?:下下|下个?|这个?|本)?(?:周|星期|礼拜)[一二三四五六日天末]|大后天|后天|明天|今天|今晚|"
    r"(?:\d{4}年)?[0-9零〇一二两三四五六七八九十]+月[0-9零〇一二两三四五六七八九十]+[日号]|(?:这个|本)?月底|"
    r"(?:这个|本)月(?:之内|以内|内)|下个?月[初中底]?|"
    r"(?:下个?|这|本)个?(?:周|星期|礼拜)(?:之内|以内|内)|(?<![下这本个])周(?:之内|以内|内)|"
    r"下个?(?:周|星期|礼拜)|(?:这|本)个?(?:周|星期|礼拜)|"
    r"[0-9零〇一二两三四五六七八九十]+\s*个?(?:天|周|星期|礼拜|月|工作日)(?:后|内|以内|之内)|"
    r"年底|(?:本|这个)?季度末|[0-9零〇一二两三四五六七八九十]+[日号]"
)


def date_phrases(text: str) -> list[str]:
    """Date expressions in a sentence, as said ("by Friday the twenty-fourth", "in two weeks",
    "下周二"), in order; `resolve_due` may still find no date in some ("March" without a day)."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return [m.group(0) for m in _ZH_FINDER.finditer(text)]
    lowered = text.lower().replace("\u2019", "'")
    return [text[m.start() : m.end()].strip() for m in _FINDER.finditer(lowered) if m.group(0).strip()]


def specificity(phrase: str) -> int:
    """3 for a day of the month ("the 24th", "June 9", "12/15", "12月15日"), 2 for a named day
    (weekday, today, tomorrow, "明天"), 1 for a window ("next week", "end of the month")."""
    text = phrase.lower()
    if re.search(rf"\d|\b(?:{_ORD_WORDS})\b|\b(?:twenty|thirty)[ -](?:first|second|third|fourth|fifth|sixth|"
                 r"seventh|eighth|ninth)\b|[日号]", text) and not re.search(r"\b(?:in|within)\b|(?:[天周月]|工作日)(?:之|以)?(?:后|内)", text):
        return 3
    if re.search(rf"\b(?:{_WDF}|today|tomorrow|tonight|eod)\b|end of (?:the )?day|周[一二三四五六日天]|"
                 r"星期|礼拜|[今明后]天|今晚", text):
        return 2
    return 1


def best_due(phrases: list[str], call_date: dt.date | None) -> tuple[str | None, str | None]:
    """(phrase, ISO due) of the most specific phrase that resolves (the first among equals; a
    phrase with "until" only when no other resolves); the first phrase and None when none
    resolves; (None, None) without phrases."""
    best: tuple[tuple[bool, int, int], str, str] | None = None
    for k, phrase in enumerate(phrases):
        due = due_iso(phrase, call_date)
        if due is None:
            continue
        # "until the 15th" is how long something holds (a price, an offer), not when a step is due:
        # any other date said with the step comes first.
        holds = bool(re.match(r"(?:until|till)\b", phrase.lower()))
        rank = (holds, -specificity(phrase), k)
        if best is None or rank < best[0]:
            best = (rank, phrase, due)
    if best is not None:
        return best[1], best[2]
    return (phrases[0], None) if phrases else (None, None)


def resolve_due(phrase: str | None, call_date: dt.date | None) -> dt.date | None:
    """The due date a date phrase names, relative to the call's date; None when there is no
    phrase, no call date, or the words name no date these rules know."""
    if not phrase or call_date is None:
        return None
    if re.search(r"[\u4e00-\u9fff]", phrase):
        return _chinese(phrase.replace(" ", ""), call_date)
    return _english(_normalise(phrase), call_date)


def due_iso(phrase: str | None, call_date: dt.date | None) -> str | None:
    """`resolve_due` as an ISO date string (the `due` of a next-step item)."""
    found = resolve_due(phrase, call_date)
    return None if found is None else found.isoformat()


__all__ = ["best_due", "date_phrases", "due_iso", "resolve_due", "specificity", "zh_number"]
