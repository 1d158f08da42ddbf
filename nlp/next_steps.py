"""Next steps: commitments to a future action, with who committed and when.

A sentence is a commitment when a first-person subject takes on a future action ("I'll send the
proposal by Friday", "we're going to loop in legal", "let me get back to you"), proposes a joint
one ("let's book a follow-up next Thursday", "shall we meet on Tuesday?", "can we schedule a call
for next week?"), or asks the listener for one that the listener accepts ("Can you send me the
security docs by Friday?" / "Sure, ...": the listener committed). Negated ("I won't be able to send"), past ("I sent it") and conditional ("if we
sign, I'll ...") sentences are not, nor are undated in-call moves ("let me show you how that works",
`IN_CALL_VERBS`). The date phrase is a DATE/TIME entity of the parse or one of
the patterns below ("by Friday", "end of day", "next week"). Chinese sentences follow the same
ideas with rules of their own (`nlp.chinese.next_steps`: "我下周二把方案发给您").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Span, Token

from nlp.chinese.next_steps import chinese_step
from nlp.sentences import Sentence
from nlp.types import NextStep

# Verbs that name an action someone can commit to in a sales call.
ACTION_VERBS = frozenset(
    {
        "send", "book", "schedule", "set", "follow", "share", "get", "call", "email", "loop", "introduce",
        "put", "review", "talk", "meet", "demo", "circle", "reach", "forward", "prepare", "draft", "check",
        "confirm", "connect", "touch", "sync", "hop", "jump", "run", "walk", "show", "invite", "arrange",
        "write", "sign", "start", "kick", "bring", "provide", "look", "discuss", "revisit", "finalize",
        "finalise", "try", "test", "pilot", "present", "update", "ping", "text", "message", "pull", "make",
        "organize", "organise", "find", "reschedule", "give", "go", "come",
    }
)
_FUTURE_MARKERS = frozenset({"will", "'ll", "shall", "gonna", "going"})
_FIRST_PERSON = frozenset({"i", "we"})
_DATE_PATTERN = re.compile(
    r"\b(?:(?:by|on|before|until|after|next|this|coming|end of (?:the )?)\s+)?"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|tomorrow|"
    r"week|month|quarter|year|eod|end of (?:the )?(?:day|week|month|quarter)|(?:the|this) (?:call|meeting|demo))\b"
    r"(?:\s+(?:morning|afternoon|evening|at \d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?))?",
    re.IGNORECASE,
)
_DEADLINE_PREPOSITIONS = frozenset({"by", "before", "until", "till", "on", "after", "from", "in", "within"})
_NOT_DATE_ENTITY = re.compile(r"^(?:(?:the )?(?:last|past|previous)\b|yesterday|ago\b)", re.IGNORECASE)


# "Let me show you how we handle that" moves the call along now; it is not a step after the call.
# With "let me / let us / let's", these verbs are a commitment only when a date says when.
IN_CALL_VERBS = frozenset({"show", "walk", "run", "demo", "present", "share", "pull", "go", "jump", "give",
                           "bring", "start", "take", "explain", "recap", "summarize", "summarise"})

# What may stand between the commitment and its verb: "I'll just send", "we'll go ahead and book".
_FILLER_BETWEEN = frozenset({"just", "also", "quickly", "definitely", "then", "certainly", "probably", "go",
                             "ahead", "and", "actually", "happily", "gladly", "try", "to", "make", "sure"})
_NEGATION = frozenset({"not", "n't", "never", "won't", "can't", "cannot"})
# Not "'d" / "would": "we'd set up in March" is how it would go, "I'd hoped" a past perfect.
_MODALS_AFTER_SUBJECT = frozenset({"'ll", "will", "shall", "can", "could"})


def _norm(token: Token) -> str:
    return token.lower_.replace("\u2019", "'")


def _trigrams(sent: Span) -> list[tuple[Token, str, str, str]]:
    """Each token with its normalised form and the next two words ("" past the end)."""
    toks = list(sent)
    words = [_norm(t) for t in toks] + ["", ""]
    return [(tok, words[k], words[k + 1], words[k + 2]) for k, tok in enumerate(toks)]


def _trigger_ends(sent: Span) -> list[int]:
    """Token indices (in the doc) right after a commitment opener: "let's", "let me", "I'll",
    "we're going to", "shall we", "can we"."""
    ends: list[int] = []
    for tok, w, nxt, nxt2 in _trigrams(sent):
        if w == "let" and nxt in {"'s", "us", "me"}:
            ends.append(tok.i + 2)
        elif w in {"lets", "let's"}:
            ends.append(tok.i + 1)
        elif w in {"i", "we"} and nxt in _MODALS_AFTER_SUBJECT:
            ends.append(tok.i + 2)
        elif w in {"i", "we"} and nxt in {"'m", "am", "'re", "are"} and nxt2 in {"going", "gonna"}:
            ends.append(tok.i + (4 if nxt2 == "going" else 3))
        elif w in {"i", "we"} and nxt in {"gonna", "will"} or w in {"shall", "can", "could", "should"} and nxt in {"we", "i"}:
            ends.append(tok.i + 2)
    return ends


def _request_ends(sent: Span) -> list[int]:
    """Token indices right after an opener that hands an action to the listener: "can you",
    "could you", "would you", "you'll", "you will", "you're going to"."""
    ends: list[int] = []
    for tok, w, nxt, nxt2 in _trigrams(sent):
        asks = w in {"can", "could", "would", "will"} and nxt == "you"  # "can you send ..."
        assigns = w == "you" and nxt in {"'ll", "will", "can", "could"}  # "you'll send ..."
        if asks or assigns:
            ends.append(tok.i + 2)
        elif w == "you" and nxt in {"'re", "are"} and nxt2 in {"going", "gonna"}:
            ends.append(tok.i + (4 if nxt2 == "going" else 3))
    return ends


# How a listener takes on what was asked of them: "Sure, ...", "Will do.", "Yes, I can do that."
_ACCEPTANCE = re.compile(
    r"^\W*(?:sure|yes|yeah|yep|yup|absolutely|definitely|of course|certainly|will do|can do|no problem|"
    r"happy to|glad to|sounds good|okay|ok|i will|i can|i'll|i'll do that|consider it done)\b",
    re.IGNORECASE,
)


def _commitment_verb(sent: Span, ends: list[int] | None = None) -> Token | None:
    """The action verb a speaker commits to (or proposes jointly), or None. `ends` are the
    openers to look after (default: first-person and joint ones)."""
    doc = sent.doc
    for end in _trigger_ends(sent) if ends is None else ends:
        before = [_norm(t) for t in doc[sent.start : end]]
        if any(w in {"if", "unless", "whether"} for w in before):
            continue  # "if we sign, I'll ..." is a condition, not a commitment
        i = end
        while i < sent.end and (_norm(doc[i]) in _FILLER_BETWEEN or _norm(doc[i]) in _NEGATION):
            if _norm(doc[i]) in _NEGATION:
                break
            i += 1
        if i >= sent.end or _norm(doc[i]) in _NEGATION:
            continue
        verb = doc[i]
        if verb.lemma_.lower() in ACTION_VERBS or _norm(verb) in ACTION_VERBS:
            return verb
    return None


def _in_call_move(verb: Token, sent: Span) -> bool:
    """True for "let me show you ...", "let's walk through it": an in-call move, not a next step."""
    if verb.lemma_.lower() not in IN_CALL_VERBS and _norm(verb) not in IN_CALL_VERBS:
        return False
    doc = verb.doc
    i = verb.i - 1
    while i >= sent.start and _norm(doc[i]) in _FILLER_BETWEEN:
        i -= 1
    if i < sent.start:
        return False
    last = _norm(doc[i])
    before = _norm(doc[i - 1]) if i - 1 >= sent.start else ""
    return last in {"lets", "let's"} or (before == "let" and last in {"me", "us", "'s"})


def _action_text(verb: Token, sent: Span) -> str:
    """The verb and what follows it in the sentence: "send the proposal by Friday"."""
    span = verb.doc[verb.i : sent.end]
    while len(span) > 1 and span[-1].is_punct:
        span = span[:-1]
    return span[:14].text


def date_phrase(sent: Span) -> str | None:
    """The first future-looking date or time expression in the sentence."""
    ents = [e for e in sent.ents if e.label_ in {"DATE", "TIME"} and not _NOT_DATE_ENTITY.search(e.text)]
    if ents:
        first, last = ents[0], ents[0]
        for ent in ents[1:]:
            if ent.start - last.end <= 1:  # "Monday at 10am"
                last = ent
        start = first.start
        # Keep the preposition that makes it a deadline: "by Friday", "in two weeks".
        if start > sent.start and sent.doc[start - 1].lower_ in _DEADLINE_PREPOSITIONS:
            start -= 1
        return sent.doc[start : last.end].text
    match = _DATE_PATTERN.search(sent.text)
    return match.group(0) if match else None


def _accepted_by(sentences: Sequence[Sentence], i: int) -> Sentence | None:
    """The other speaker's next sentence if it accepts what sentence `i` asked of them."""
    for nxt in sentences[i + 1 :]:
        if nxt.speaker != sentences[i].speaker:
            return nxt if _ACCEPTANCE.match(nxt.text) else None
    return None


def find_next_steps(sentences: Sequence[Sentence]) -> list[NextStep]:
    """Commitments in the given sentences, in order; `speaker` is who committed.

    Besides first-person commitments, an action asked of the listener ("Can you send me the
    deck by Friday?", "You'll loop in legal?") is the listener's commitment once they accept it
    in their next words ("Sure, ..."): the step is the request, its speaker the one who accepted.
    """
    steps: list[NextStep] = []
    for i, s in enumerate(sentences):
        if s.span.doc.lang_ == "zh":  # Chinese sentences: `nlp.chinese.next_steps`
            step = chinese_step(sentences, i)
            if step is not None:
                steps.append(step)
            continue
        if s.span._.is_rhetorical:
            continue
        speaker, when = s.speaker, date_phrase(s.span)
        verb = _commitment_verb(s.span)
        if verb is not None and when is None and _in_call_move(verb, s.span):
            continue
        if verb is None:
            verb = _commitment_verb(s.span, _request_ends(s.span))
            accepted = _accepted_by(sentences, i) if verb is not None else None
            if verb is None or accepted is None:
                continue
            speaker, when = accepted.speaker, when or date_phrase(accepted.span)
        steps.append(
            NextStep(
                speaker=speaker,
                start=s.start,
                end=s.end,
                text=s.text,
                action=_action_text(verb, s.span),
                date_phrase=when,
            )
        )
    return steps
