"""Pains, needs, objections, budgets, decisions and quoted prices: a logistic score over each
sentence's features (`nlp.brief.features`: cue words read over the parse, MiniLM similarity to
exemplar sentences, the question it answers, the words that colour it), with weights fit on the
evaluation set's dev calls (`nlp.brief.weights`).

An item is the sentence, cut to the clause around its cue when long, with the score as its
`confidence`; sentences under the kind's threshold are dropped. Pains, needs, objections, budgets
and decisions are the customer's (or an unknown speaker's); prices are the rep's (or an unknown
speaker's). `detail` is the objection's topic or the decision maker; `amount` the money said.
"""

from __future__ import annotations

import re

import numpy as np
from spacy.tokens import Span

from nlp.brief.chinese_items import chinese_items
from nlp.brief.context import CallContext
from nlp.brief.cues import TITLES
from nlp.brief.features import (
    FEATURES,
    ITEM_KINDS,
    SentenceFacts,
    amount_in,
    conversation,
    feature_rows,
    sentence_facts,
)
from nlp.brief.spans import clause_around, trim
from nlp.brief.types import BriefItem, ItemKind
from nlp.brief.weights import THRESHOLDS, WEIGHTS

_TOPICS = (
    ("price", re.compile(r"\b(?:pric\w*|cost\w*|expensive|budget\w*|afford|money|cheaper|discount|over|thousand|"
                         r"hundred|dollars?|per (?:seat|user|month)|a lot|jump|increase|spend)\b")),
    ("timing", re.compile(r"\b(?:not (?:before|until|during|this|now|yet)|timing|time|priority|busy|next (?:year|quarter"
                          r"|month)|later|wait|hold|after|until|season|summer|winter|fall|spring|too tight|middle of)\b")),
    ("authority", re.compile(r"\b(?:boss|decision|approv\w*|sign\w*|board|cfo|ceo|committee|manager|director|run (?:it|this)"
                             r" by|my call|not up to me|authority)\b")),
    ("competition", re.compile(r"\b(?:vendor|competitor|other (?:tool|solution|option)s?|quote from|already (?:have|use)|"
                               r"happy with|contract|locked)\b")),
    ("material", re.compile(r"\b(?:send (?:me|us|over)|material|information|info|brochure|deck|one[- ]pager|case stud)\b")),
)


# Budget facts are few (15 in the dev calls), too few to fit weights on: a rule instead. A budget is
# the customer's amount said with a budget word ("forty thousand in this year's budget", "twenty-five
# thousand, max"), or an amount in answer to a question about budget ("Under five hundred a month.").
_BUDGET_WORD = re.compile(r"\b(?:budget\w*|set aside|allocated|earmarked|approved|line item|max|maximum|limit|at most|"
                          r"no more than|can'?t spend more|spend more than|up to|at or under|thinking (?:more )?like|"
                          r"would accept|'?d accept|ceiling|cap|(?:to|can) play with|to spend|what (?:i|we)'?ve got|"
                          r"in (?:the|our|this year'?s|next year'?s) (?:\w+ )?plan|in (?:my|our) heads?|tops|"
                          r"(?:i|we) can spend|(?:(?:i|we)(?:'ve| have)? got|gave (?:me|us))\b.{0,40}\bfor (?:this|it|that|"
                          r"(?:the )?(?:whole )?(?:project|software|systems?|technology|tools?|telematics)))\b")
_NOT_BUDGET = re.compile(r"\bsign\w*|\bauthority\b|\bquoted\b|\bhigher than\b|\bmore than (?:we|i) (?:expected|budgeted)|\babove "
                         r"(?:the|our) budget\b|\bover (?:the|our) budget\b")


def budget_confidence(ctx: CallContext, i: int, facts: list[SentenceFacts], asked: bool) -> float:
    """0 unless sentence `i` states the customer's budget (see `_BUDGET_WORD`)."""
    f = facts[i]
    text = f.text
    if _NOT_BUDGET.search(text) or f.question:
        return 0.0
    worded = bool(_BUDGET_WORD.search(text))
    # an amount, not any number: "forty thousand in the plan", not "40 reps in the plan"
    if f.money and worded and amount_in(ctx.sentences[i].span, cardinal=True) is not None:
        return 0.85
    if f.money and asked:
        return 0.75
    if "line item" in text or re.search(r"\bbudget'?s? (?:is )?(?:flat|frozen|gone|spent|fixed)\b", text):
        return 0.7
    return 0.0


# Prices are few and said in a few ways: a rule too. A price is the rep's amount with a unit ("per
# seat per month", "a year") or a price word ("the pilot is fifteen thousand dollars"), not the
# customer's own spend repeated back, not a question.
_PER_UNIT = re.compile(r"\bper \w+|\ba (?:month|year|seat|user|head|license|licence|claim|agent|rep|week|day|"
                       r"season|quarter|site|location|store|unit|campus|device|truck|vehicle|bed|door)\b|"
                       r"\b(?:monthly|annually|yearly|annual|per annum|one-?time|upfront|up front|each|apiece)\b")
_PRICE_WORD = re.compile(r"\b(?:price[ds]?|pricing|costs?|plan|tier|licen[cs]e|quote|total|comes? (?:out )?to|works out "
                         r"to|would be|will be|starts? at|lists? at|list price|normally|usually|brings? you to|bring "
                         r"(?:that|it) down to|can do|fixed|all in|the (?:pilot|proof of concept|module|package))\b")
_NOT_PRICE = re.compile(r"\b(?:you(?:'re| are)? (?:pay|paying|spend|spending)|your (?:\w+ )?spend|spend\w*|sav(?:e|es|ing|"
                        r"ings)|budget\w*|revenue|roi|return)\b")


def price_confidence(facts: list[SentenceFacts], i: int, span: Span) -> float:
    f = facts[i]
    if f.question or _NOT_PRICE.search(f.text) or amount_in(span, cardinal=True) is None:
        return 0.0
    if _PER_UNIT.search(f.text):
        return 0.9
    return 0.8 if _PRICE_WORD.search(f.text) else 0.0


def _objection_topic(span: Span, cue_detail: str | None) -> str | None:
    if cue_detail is not None:
        return cue_detail
    text = span.text.lower()
    return next((topic for topic, pattern in _TOPICS if pattern.search(text)), None)


def _decision_detail(ctx: CallContext, i: int, span: Span) -> str | None:
    """Who decides: a named person (with a title when said), else a title ("our CFO", "the board"),
    else the speaker when they say they decide ("I sign")."""
    own = (ctx.names.get(ctx.sentences[i].speaker) or "").lower()
    text = span.text
    title = TITLES.search(text.lower())
    for ent in span.ents:
        if ent.label_ == "PERSON" and ent.text.lower() not in own:
            return f"{ent.text}, {text[title.start():title.end()]}" if title else ent.text
    if title:
        return text[title.start() : title.end()]
    if re.search(r"\b(?:i|i'm|i am|me|myself)\b", text.lower()):
        return ctx.names.get(ctx.sentences[i].speaker)
    return None


_FRAGMENT_WORDS = 5


def _best_per_turn(ctx: CallContext, chosen: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The most confident sentence of each turn: who decides is told once a turn ("The CFO signs
    anything over fifty thousand. Jennifer recommends, I negotiate, he signs.")."""
    turn_of: dict[int, int] = {}
    turn = 0
    for k in range(len(ctx.sentences)):
        if k and ctx.sentences[k].speaker != ctx.sentences[k - 1].speaker:
            turn += 1
        turn_of[k] = turn
    best: dict[int, tuple[int, float]] = {}
    for i, conf in chosen:
        if turn_of[i] not in best or conf > best[turn_of[i]][1]:
            best[turn_of[i]] = (i, conf)
    return sorted(best.values())


def _runs(ctx: CallContext, chosen: list[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    """Chosen sentences grouped into one item where a fragment joins its neighbour in the turn: "My
    boss. Carla, the CMO." is one item; two whole sentences stay two."""
    runs: list[list[tuple[int, float]]] = []
    for i, conf in chosen:
        if (runs and runs[-1][-1][0] == i - 1 and ctx.sentences[i - 1].speaker == ctx.sentences[i].speaker
                and min(ctx.alpha[i - 1], ctx.alpha[i]) <= _FRAGMENT_WORDS):
            runs[-1].append((i, conf))
        else:
            runs.append([(i, conf)])
    return runs


def _item(ctx: CallContext, kind: str, run: list[tuple[int, float]], facts: list[SentenceFacts],
          conf: float) -> BriefItem:
    i, last = run[0][0], run[-1][0]
    s = ctx.sentences[i]
    span = s.span
    cue = facts[i].cues[kind]
    detail: str | None = None
    amount: float | None = None
    if kind == "objection":
        detail = next((d for j, _ in run if (d := _objection_topic(ctx.sentences[j].span, (c[0].detail if (
            c := facts[j].cues[kind]) else None))) is not None), None)
    elif kind == "decision":
        detail = next((d for j, _ in run if (d := _decision_detail(ctx, j, ctx.sentences[j].span)) is not None), None)
    elif kind in ("budget", "price"):
        amount = next((a for j, _ in run if (a := amount_in(ctx.sentences[j].span, cardinal=True)) is not None), None)
    if last == i:
        clip = ctx.words.clip(s, clause_around(span, cue[1], cue[2]) if cue else trim(span))
        text, start, end = clip.text, clip.start, clip.end
    else:  # whole sentences of one turn, said one after the other
        first = trim(span)
        end_span = trim(ctx.sentences[last].span, keep_question_mark=True)
        text = span.doc[first.start : end_span.end].text
        start = ctx.words.clip(s, first).start
        end = ctx.words.clip(ctx.sentences[last], end_span).end
    return BriefItem(kind=kind, text=text, start=round(start, 3), end=round(end, 3),  # type: ignore[arg-type]
                     speaker=s.speaker, role=ctx.role(i), confidence=round(conf, 3), detail=detail, amount=amount)


def find_items(ctx: CallContext, kinds: tuple[ItemKind, ...] = ITEM_KINDS) -> list[BriefItem]:  # type: ignore[assignment]
    """The call's items of the given kinds, at most one per kind and sentence, in time order."""
    facts = sentence_facts(ctx)
    talk = conversation(ctx, facts)
    items: list[BriefItem] = []
    for kind in kinds:
        idx, rows = feature_rows(ctx, kind, facts, talk)
        if not idx:
            continue
        bias, weights = WEIGHTS[kind]
        scores = 1.0 / (1.0 + np.exp(-(rows @ np.asarray(weights) + bias)))
        if kind == "price":
            scores = np.array([price_confidence(facts, i, ctx.sentences[i].span) for i in idx])
        if kind == "budget":
            asked_col = FEATURES.index("asked")
            scores = np.array([budget_confidence(ctx, i, facts, bool(row[asked_col])) for i, row in zip(idx, rows,
                                                                                                       strict=True)])
        chosen = [(i, float(conf)) for i, conf in zip(idx, scores, strict=True) if conf >= THRESHOLDS[kind]]
        if kind == "decision":
            chosen = _best_per_turn(ctx, chosen)
        for run in _runs(ctx, chosen):
            items.append(_item(ctx, kind, run, facts, max(conf for _, conf in run)))
    items += chinese_items(ctx, kinds)  # Chinese sentences: cue tables and a rule score (none in English)
    items.sort(key=lambda it: (it.start, it.kind))
    return items


__all__ = ["budget_confidence", "find_items", "price_confidence"]
