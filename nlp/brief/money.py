"""Money amounts as said: "$20k", "20,000 dollars", "twenty thousand", "1.5 million", "sixty bucks";
in Chinese "二十万", "两千四", "8.5万".

`parse_amount` reads the number of a MONEY (or CARDINAL) entity in the currency's units; the
currency itself is not kept (a call uses one). `chinese_amount` reads a Chinese number.
"""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "grand": 1_000, "k": 1_000, "million": 1_000_000, "mil": 1_000_000,
           "m": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000}
_FILLER = frozenset({"and", "about", "around", "roughly", "approximately", "maybe", "like", "some", "just", "under",
                     "over", "up", "to", "of", "per", "the", "usd", "eur", "gbp", "dollars", "dollar", "bucks",
                     "euros", "euro", "pounds", "pound", "a", "an", "half"})
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")

# Chinese numerals. A number in a Chinese text: digits with an optional scale ("2.5万"), or numerals ("两千四").
ZH_NUMBER = re.compile(r"\d+(?:\.\d+)?[万亿千百]?|[零〇一二两三四五六七八九十百千万亿]+")
ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_SCALE = {"十": 10, "百": 100, "千": 1_000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}


def _tokens(text: str) -> list[str]:
    text = text.lower().replace(",", "").replace("$", " ").replace("€", " ").replace("£", " ")
    text = re.sub(r"(\d)\s*(k|m|bn|mil)\b", r"\1 \2", text)
    text = text.replace("-", " ")
    return [t for t in re.split(r"\s+", text) if t]


def parse_amount(text: str) -> float | None:
    """The first amount in `text` ("about $20k a year" -> 20000.0); None when there is none.

    Digits and number words combine with scales ("1.5 million", "two hundred and fifty thousand");
    "a" counts as one only before a scale ("a hundred grand")."""
    tokens = _tokens(text)
    total, current, seen = 0.0, 0.0, False
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if _NUMBER.match(tok):
            if seen and current and not total:
                joined = _join_hundreds(current, float(tok)) if i and tokens[i - 1] == "and" else None
                if joined is None:
                    break  # "20 30": a second number
                current = joined
                continue
            current += float(tok)
            seen = True
        elif tok in {"a", "an"} and seen:
            continue  # "half a million"
        elif tok in _UNITS and (tok not in {"a", "an"} or nxt in _SCALES):
            current += _UNITS[tok]
            seen = True
        elif tok in _SCALES and seen:
            scale = _SCALES[tok]
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0.0
        elif tok == "half" and not seen and (nxt in _SCALES or nxt in {"a", "an"}):
            current += 0.5
            seen = True
        elif tok in _FILLER and not seen or tok == "and" and seen:
            continue
        elif seen:
            break
    if not seen:
        return None
    return total + current


_BIG = r"(?:thousand|grand|million|billion)"
_NUM_WORD = rf"(?:\d+(?:\.\d+)?|{'|'.join(w for w in _UNITS if w not in ('a', 'an', 'zero'))}|hundred|{_BIG})"
# A run of number words holding a scale, as said: "ninety thousand", "two thousand four hundred",
# "a hundred and twenty thousand", "twenty-one hundred"; a few hundred only before a currency, a
# period or "each" ("four hundred a month").
_SPOKEN = re.compile(rf"\b(?:an? )?{_NUM_WORD}(?:[ -](?:and )?{_NUM_WORD})*\b", re.IGNORECASE)
_CURRENCY = r"dollars?|bucks|euros?|pounds?"
_HUNDRED_UNIT = re.compile(rf"^\W*(?:{_CURRENCY}|a (?:month|year|week|seat|user|season)|per\b|each\b|apiece\b)")


def spoken_amount(text: str) -> float | None:
    """The first amount in `text` said in words with a scale, for amounts the entity tagger missed
    ("we put ninety thousand in next year's plan"); None when there is none."""
    for m in _SPOKEN.finditer(text):
        run = m.group(0).lower()
        amount = parse_amount(run)
        if re.search(rf"\b{_BIG}\b", run) or ("hundred" in run and (
                _HUNDRED_UNIT.match(text[m.end():].lower()) or (amount or 0) >= 1100)):  # "twenty-one hundred"
            return amount
    return None


# A price as a recogniser writes it: digits with a rate or a currency right after them ("650 per user
# per month", "420 a month", "165 each"), and the hundreds it splits off ("400 and 20 a month" for
# "four hundred and twenty", "100 and 8,000" for "a hundred and eight thousand", "33,100 and 70"),
# and a price said as two numbers ("one 85" for "one eighty-five").
_RATE = (rf"(?:{_CURRENCY}|(?:a|per) (?:month|year|seat|user|licen[cs]e|head|unit|store|site|location|clinic|truck|"
         r"vehicle|device|agent|rep|door|bed|campus|season|quarter)|each|apiece|one[- ]time)\b")
_DIGIT_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WRITTEN = re.compile(rf"(?<![\w.,])(?:({'|'.join(_DIGIT_WORDS)})\s+(?=\d\d\s))?(\d{{1,3}}(?:,\d{{3}})*|\d+)"
                      rf"(?:\s+and\s+(\d{{1,3}}(?:,\d{{3}})*))?(?=\s+{_RATE})", re.IGNORECASE)


def _join_hundreds(first: float, second: float) -> float | None:
    """Two written numbers that are one said amount: "400 and 20" (420), "33,100 and 70" (33,170),
    "100 and 8,000" (108,000); None for two amounts."""
    if first % 100 == 0 and first % 1000 != 0 and second < 100:
        return first + second
    if first % 100 == 0 and 100 <= first < 1000 and second % 1000 == 0 and second < 100_000:
        return (first + second // 1000) * 1000
    return None


def written_amount(text: str) -> float | None:
    """The first amount of ten and more written in digits right before a rate or a currency ("650
    per user per month" -> 650, "400 and 20 a month" -> 420, "100 and 8,000 a year" -> 108000); None
    when there is none. Plain counts ("200 users", "40 reps") have no rate after them."""
    m = _WRITTEN.search(text)
    if m is None:
        return None
    first = int(m.group(2).replace(",", ""))
    if m.group(1) is not None:
        return float(100 * (_DIGIT_WORDS.index(m.group(1).lower()) + 1) + first)  # "one 85" for "one eighty-five"
    if m.group(3) is None:
        return float(first) if first >= 10 else None  # "2 per month" counts events
    second = int(m.group(3).replace(",", ""))
    joined = _join_hundreds(first, second)
    return float(second if joined is None else joined)  # else two numbers: the one next to the rate


def chinese_amount(text: str) -> float | None:
    """The value of a number written in digits with an optional scale ("2.5万" -> 25000) or in
    numerals ("两千四" -> 2400, "一万五" -> 15000, "三十" -> 30, "一千零五" -> 1005); None for
    anything else."""
    digits = re.fullmatch(r"(\d+(?:\.\d+)?)([万亿千百]?)", text)
    if digits:
        return float(digits.group(1)) * float({**_ZH_SCALE, **_ZH_BIG}.get(digits.group(2), 1))
    if not text or any(c not in ZH_DIGITS and c not in _ZH_SCALE and c not in _ZH_BIG for c in text):
        return None
    total = section = number = 0
    for k, c in enumerate(text):
        if c in ZH_DIGITS:
            number = ZH_DIGITS[c]
            before = text[k - 1] if k else ""
            # "两千四": a last digit right after a scale counts in the next lower one (400).
            if k == len(text) - 1 and number and (before in _ZH_BIG or before in _ZH_SCALE and before != "十"):
                number *= {**_ZH_SCALE, **_ZH_BIG}[before] // 10
        elif c in _ZH_SCALE:
            section += (number or 1) * _ZH_SCALE[c]
            number = 0
        else:
            total += ((section + number) or 1) * _ZH_BIG[c]
            section = number = 0
    return float(total + section + number)


__all__ = ["ZH_DIGITS", "ZH_NUMBER", "chinese_amount", "parse_amount", "spoken_amount", "written_amount"]
