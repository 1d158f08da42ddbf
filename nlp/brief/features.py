"""What the item scorer reads about one sentence: its cues for each kind, its similarity to each
kind's exemplars and its score under the kind's linear model over the embedding
(`nlp.brief.learned`), where it sits in the conversation (the answer to a question about the kind,
the reply to a quoted price), and a few words that colour it (bad news, good news).

`feature_rows(ctx, kind)` gives one row of `FEATURES` per sentence that may be `kind`; the weights
that turn a row into a confidence are fit on the evaluation set's dev calls (`bench/brief_fit.py`)
and live in `nlp.brief.weights`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from spacy.tokens import Span

from nlp.brief.context import CallContext
from nlp.brief.cues import (
    BUDGET,
    CONDITIONS,
    DECISION,
    NEED,
    NEGATIONS,
    OBJECTION,
    PAIN,
    PAST_PAIN,
    PRICE,
    SOLVED,
    THIRD_PARTY,
    TITLES,
    Cue,
    matches,
)
from nlp.brief.learned import learned_scores
from nlp.brief.money import parse_amount, spoken_amount, written_amount
from nlp.brief.ngrams import ngram_score

ITEM_KINDS = ("pain", "need", "objection", "budget", "decision", "price")
CUES: dict[str, tuple[Cue, ...]] = {
    "pain": PAIN, "need": NEED, "objection": OBJECTION, "budget": BUDGET, "decision": DECISION, "price": PRICE,
}  # fmt: skip
FEATURES = ("cue", "sim", "margin", "asked", "asked_later", "after_price", "amount", "question", "short", "bad",
            "good", "first_person", "other_cue", "named", "other_vendor", "learned", "words")
# What a rep asks to hear each kind: the customer's answer counts as evidence.
ASKS = {
    "pain": re.compile(r"\b(?:challeng\w*|problems?|pain|struggl\w*|frustrat\w*|not working|hard|difficult|issues?|"
                       r"worr\w*|keeps? you up|what happens when|how much time|cost you|slow|how (?:are|do) you "
                       r"(?:handle|handling|manage|managing|do|doing)|today|currently|right now|what'?s (?:going|"
                       r"happening)|how did .* go|how'?s .* going|tell me about|walk me through|what prompted)\b"),
    "need": re.compile(r"\b(?:need|looking for|must|requirements?|success|important|ideal\w*|goals?|wish|has to|"
                       r"have to|criteria|priorit\w*|what would (?:need|have) to|what else|timeline|when do you "
                       r"(?:need|want)|what would make|what do you want|what matters)\b"),
    "objection": re.compile(r"\b(?:concerns?|hesita\w+|hold(?:ing)? you back|stop you|what do you think|how does that "
                            r"(?:sound|look|land)|reaction|thoughts|fair|work for you|price|cost|per (?:seat|user|month)|"
                            r"a (?:month|year))\b"),
    "decision": re.compile(r"\b(?:who (?:else )?(?:is|'s|would be|will be|needs to be)? ?(?:involved|decides|signs|"
                           r"approves|makes)|decision|decide|sign[- ]?off|sign off|signs?|approv\w*|process look|"
                           r"buying process|procurement|who else|anyone else)\b"),
    "budget": re.compile(r"\b(?:budget\w*|set aside|allocated|spend|invest|how much (?:are|were|would) you|money|"
                         r"range|afford|ballpark)\b"),
    "price": re.compile(r"\b(?:how much|cost|price|pricing|what (?:does|would|will) (?:it|this|that) (?:run|cost)|"
                        r"what are we looking at|quote|ballpark)\b"),
}
BAD = re.compile(
    r"\b(?:bad|badly|worse|worst|awful|terrible|horrible|disaster|embarrass\w*|furious|angry|upset|annoy\w*|"
    r"frustrat\w*|swamped|overwhelm\w*|slow|late|lost|lose|losing|miss(?:ed|ing|es)?|never|nobody|no one|nothing|"
    r"wrong|broken|breaks?|fail\w*|errors?|mistakes?|problems?|issues?|complain\w*|disputes?|penalt\w+|waste\w*|"
    r"manual\w*|by hand|paper|spreadsheets?|excel|whiteboards?|twice|forget\w*|forgot|stuck|hard|difficult|pain\w*|"
    r"headaches?|mess\w*|chaos|risk\w*|worr\w*|concern\w*|expensive|behind|delay\w*|waiting|on hold|drop\w*|"
    r"declin\w*|churn\w*|turnover|idle|scrap|rework|riot|hate\w*|clunky|sits? there|typed|retype|jump between|"
    r"takes? (?:us |me |them )?(?:about |almost |over )?(?:an? |\w+ )(?:hours?|days?|weeks?)|only|still|can'?t|"
    r"cannot|couldn'?t|doesn'?t|don'?t|didn'?t|won'?t|isn'?t|aren'?t|too|tired|stale|old|outdated|gone|"
    r"blow through|over|above)\b")
GOOD = re.compile(r"\b(?:fine|great|good|love\w*|happy|works|easy|nice|perfect|excellent|under control|helpful|better|"
                  r"improv\w*|solved|fixed|wonderful|beautiful|glad|awesome|impressive|smooth\w*|thankfully|passed|"
                  r"exactly|sounds good|makes sense|interesting|cool|right|sure|okay|ok|yes|yeah)\b")
FIRST_PERSON = re.compile(r"\b(?:we|our|us|i|my|me|we're|i'm|we've|i've|ours)\b")
# A vendor tried or compared: what follows may be about that product, not this deal.
OTHER_VENDOR = re.compile(r"\b(?:tried|used to use|looked at|evaluated|went with|switched from|their|they were|it was|"
                          r"we had|they had|was too|were too|with them|compared to|than (?:yours|you|theirs))\b")
MONEY_WORDS = re.compile(r"\b(?:dollars?|bucks|euros?|pounds?|grand|k|thousand|million|hundred)\b|\$|€|£|\d")


def low(span: Span) -> str:
    return span.text.lower().replace("\u2019", "'")


def _token_at(span: Span, char: int) -> int:
    """Doc index of the token at character `char` of the span's text."""
    target = span.start_char + char
    for tok in span:
        if tok.idx + len(tok.text) > target:
            return tok.i
    return span.end - 1


def _negated(span: Span, i: int) -> bool:
    """A negation up to three words before token `i`, in the same clause."""
    doc = span.doc
    for j in range(i - 1, max(span.start, i - 4) - 1, -1):
        if doc[j].text in {",", ";", ".", "?", "!"}:
            return False
        word = doc[j].lower_.replace("\u2019", "'")
        if word in NEGATIONS or word.endswith("n't"):
            return True
    return False


def conditional(span: Span, i: int) -> bool:
    """A condition ("if", "unless") before token `i`, or after it in a would-clause: "if we had
    problems", "we'd lose deals if ..."."""
    doc = span.doc
    before = [t.lower_ for t in doc[span.start : i]]
    if any(w in CONDITIONS for w in before) or "what if" in " ".join(before):
        return True
    after = [t.lower_ for t in doc[i : span.end]]
    modal = any(w in {"would", "'d", "could", "might"} for w in before[-4:]) or any(
        w in {"would", "'d"} for w in after[:3])
    return modal and any(w in CONDITIONS for w in after)


def is_question(span: Span) -> bool:
    return span._.question_type is not None or span.text.rstrip().endswith("?")


_CONDITIONAL_KINDS = frozenset({"pain", "budget"})


def best_cue(kind: str, span: Span, text: str | None = None) -> tuple[Cue, int, int] | None:
    """The kind's strongest cue in the sentence that the parse does not undo, with its tokens.
    `text` is the sentence's lower-cased text when the caller has it."""
    text = low(span) if text is None else text
    best: tuple[Cue, int, int] | None = None
    for cue, m in matches(CUES[kind], text):
        i = _token_at(span, m.start())
        j = _token_at(span, max(m.end() - 1, m.start())) + 1
        if cue.negatable and _negated(span, i):
            continue
        if (kind in _CONDITIONAL_KINDS or cue.unless_conditional) and conditional(span, i):
            continue
        if best is None or cue.weight > best[0].weight:
            best = (cue, i, j)
    return best


# The commas of digit groups ("98,000" as a recogniser writes it): a plain number of four digits
# and more is an amount whether grouped or not.
_DIGIT_GROUPS = re.compile(r"(?<=\d),(?=\d{3}\b)")


# spaCy reads "forty thousand a year" as a DATE and "nine grand" as a QUANTITY: amounts all the same.
_AMOUNT_WORD = re.compile(r"\b(?:thousand|hundred|million|grand|\d+k)\b")


def _amount_entity(ent: Span) -> bool:
    return ent.label_ == "MONEY" or (ent.label_ in ("DATE", "QUANTITY") and bool(_AMOUNT_WORD.search(ent.text.lower())))


def amount_in(span: Span, *, cardinal: bool) -> float | None:
    """The first money amount said in the sentence (MONEY entities and amounts spaCy took for a date
    or a quantity; with `cardinal`, also plain numbers said with thousand/million or of four digits
    and more), else one said in words with a scale (`spoken_amount`), else (with `cardinal`) digits
    right before a rate or a currency (`written_amount`: "650 per user per month")."""
    for ent in span.ents:
        if _amount_entity(ent) or (cardinal and ent.label_ == "CARDINAL"
                                   and re.search(r"thousand|million|grand|\bk\b|\d{4,}|\d+k|hundred",
                                                 _DIGIT_GROUPS.sub("", ent.text.lower()))):
            amount = parse_amount(ent.text)
            if amount is not None:
                return amount
    spoken = spoken_amount(span.text)  # "ninety thousand" the tagger left out, "twenty-two" + "thousand"
    if spoken is not None or not cardinal:
        return spoken
    return written_amount(span.text)  # "650 per user per month", "400 and 20 a month" as recognised


@dataclass(slots=True)
class SentenceFacts:
    """Per-sentence readings shared by every kind; `cues` holds the kinds the sentence may be (a
    rep's sentence without an amount may be none)."""

    text: str
    usable: bool
    cues: dict[str, tuple[Cue, int, int] | None]
    question: bool
    words: int
    bad: int
    good: int
    first_person: bool
    third_party: bool
    past: bool
    money: bool
    named: bool
    vendor: bool


def sentence_facts(ctx: CallContext) -> list[SentenceFacts]:
    out: list[SentenceFacts] = []
    for i, s in enumerate(ctx.sentences):
        span = s.span
        text = s.text.lower().replace("\u2019", "'")
        words = ctx.alpha[i]
        usable = words > 0 and span.doc.lang_ == "en" and not (span._.is_backchannel or span._.is_rhetorical)
        money = bool(MONEY_WORDS.search(text)) and (any(e.label_ == "CARDINAL" or _amount_entity(e) for e in span.ents)
                                                    or spoken_amount(text) is not None)
        # The cues are read only where an item may come from: the customer's side, the rep's amounts.
        wanted = usable and (ctx.customer_side(i) or money)
        out.append(SentenceFacts(
            text=text,
            usable=usable,
            cues={kind: best_cue(kind, span, text) for kind in ITEM_KINDS} if wanted else {},
            question=is_question(span),
            words=words,
            bad=len(BAD.findall(text)) if wanted else 0,
            good=len(GOOD.findall(text)) if wanted else 0,
            first_person=bool(FIRST_PERSON.search(text)),
            third_party=bool(THIRD_PARTY.search(text)) if wanted else False,
            past=bool(PAST_PAIN.search(text)) if wanted else False,
            money=money,
            named=wanted and (bool(TITLES.search(text)) or any(e.label_ == "PERSON" for e in span.ents)),
            vendor=bool(OTHER_VENDOR.search(text)),
        ))
    return out


def _answers(ctx: CallContext, facts: list[SentenceFacts]) -> list[tuple[int, int]]:
    """For each sentence: (index of the other speaker's question it answers, its position in the
    answering turn), or (-1, -1) when it answers none."""
    out = [(-1, -1)] * len(ctx.sentences)
    question, position, speaker = -1, -1, None
    for i, s in enumerate(ctx.sentences):
        if speaker is not None and s.speaker != speaker:  # a new turn
            question = i - 1 if facts[i - 1].question else -1
            position = 0
        elif speaker is not None:
            position += 1
        speaker = s.speaker
        if question >= 0:
            out[i] = (question, position)
    return out


def _after_price(ctx: CallContext, facts: list[SentenceFacts]) -> list[bool]:
    """Sentences of the turn right after the other side said an amount (a quoted price)."""
    out = [False] * len(ctx.sentences)
    last_money_speaker: str | None = None
    turn_money = False
    for i, s in enumerate(ctx.sentences):
        if i and s.speaker != ctx.sentences[i - 1].speaker:
            last_money_speaker = ctx.sentences[i - 1].speaker if turn_money else None
            turn_money = False
        turn_money = turn_money or (facts[i].money and not ctx.customer_side(i))
        out[i] = last_money_speaker is not None and last_money_speaker != s.speaker
    return out


@dataclass(slots=True)
class Conversation:
    """Where each sentence sits: the question it answers, whether it replies to a quoted amount."""

    answers: list[tuple[int, int]]
    after_price: list[bool]


def conversation(ctx: CallContext, facts: list[SentenceFacts]) -> Conversation:
    return Conversation(_answers(ctx, facts), _after_price(ctx, facts))


def feature_rows(
    ctx: CallContext, kind: str, facts: list[SentenceFacts], talk: Conversation | None = None
) -> tuple[list[int], npt.NDArray[np.float64]]:
    """(sentence indices, feature rows) of the sentences that may be `kind`."""
    talk = talk if talk is not None else conversation(ctx, facts)
    answers, after = talk.answers, talk.after_price
    others = [k for k in ITEM_KINDS if k != kind]
    learned = learned_scores(kind, ctx.vectors, ctx.has_vector)
    idx: list[int] = []
    rows: list[list[float]] = []
    for i, s in enumerate(ctx.sentences):
        f = facts[i]
        if not f.usable or kind not in f.cues:
            continue  # the cues are English; Chinese sentences yield next steps and questions only
        if kind == "price":
            if not ctx.rep_side(i) or not f.money:
                continue
        elif not ctx.customer_side(i):
            continue
        cue = f.cues[kind]
        if kind == "budget" and not (f.money or cue):
            continue
        sim = float(ctx.sims[kind][i]) if ctx.has_vector[i] else 0.3
        other_sims = [float(ctx.sims[k][i]) for k in others if k in ctx.sims] if ctx.has_vector[i] else [0.3]
        q, pos = answers[i]
        asked = q >= 0 and bool(ASKS[kind].search(facts[q].text))
        if kind == "decision" and not (cue or f.named or asked):
            continue  # who decides is said with a decision word, a person or a title, or asked for
        if ctx.role(i) == "unknown" and ((kind in ("pain", "need") and f.third_party) or (kind == "pain" and f.past)):
            continue  # without roles, a rep's story about other customers must not read as this customer's
        if kind == "pain" and SOLVED.search(f.text):
            continue  # "we used to struggle with onboarding, but that's solved now"
        rows.append([
            cue[0].weight if cue else 0.0,
            sim,
            sim - max(other_sims),
            1.0 if asked and pos == 0 else 0.0,
            1.0 if asked and pos > 0 else 0.0,
            1.0 if after[i] else 0.0,
            1.0 if f.money else 0.0,
            1.0 if f.question else 0.0,
            1.0 if f.words <= 4 else 0.0,
            min(f.bad, 4) / 4.0,
            min(f.good, 3) / 3.0,
            1.0 if f.first_person else 0.0,
            max((c[0].weight for k in others if (c := f.cues[k]) is not None), default=0.0),
            1.0 if f.named else 0.0,
            1.0 if f.vendor or (i > 0 and ctx.sentences[i - 1].speaker == s.speaker and facts[i - 1].vendor) else 0.0,
            float(learned[i]),
            ngram_score(kind, s.text),
        ])
        idx.append(i)
    return idx, np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


__all__ = ["ASKS", "FEATURES", "ITEM_KINDS", "Conversation", "SentenceFacts", "amount_in", "best_cue", "conditional",
           "conversation", "feature_rows", "is_question", "sentence_facts"]
