"""Next steps: commitments to a future action, with who committed and when.

A sentence is a commitment when a first-person subject takes on a future action ("I'll send the
proposal by Friday", "we're going to loop in legal", "let me get back to you") or proposes a joint
one ("let's book a follow-up next Thursday", "shall we meet on Tuesday?", "can we schedule a call
for next week?"). Negated ("I won't be able to send"), past ("I sent it") and conditional ("if we
sign, I'll ...") sentences are not. The date phrase is a DATE/TIME entity of the parse or one of
the patterns below ("by Friday", "end of day", "next week").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Span, Token

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
    r"week|month|quarter|year|eod|end of (?:the )?(?:day|week|month|quarter))\b"
    r"(?:\s+(?:morning|afternoon|evening|at \d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?))?",
    re.IGNORECASE,
)
_DEADLINE_PREPOSITIONS = frozenset({"by", "before", "until", "till", "on", "after", "from"})
_NOT_DATE_ENTITY = re.compile(r"^(?:(?:the )?(?:last|past|previous)\b|yesterday|ago\b)", re.IGNORECASE)


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            return child
    if verb.dep_ in {"xcomp", "conj", "ccomp"}:
        return _subject(verb.head)
    return None


def _is_negated(verb: Token) -> bool:
    chain = [verb, *[a for a in verb.ancestors][:2]]
    return any(c.dep_ == "neg" for v in chain for c in v.children)


def _commitment_verb(sent: Span) -> Token | None:
    """The action verb a first-person speaker commits to, or None."""
    lowers = [t.lower_ for t in sent]
    text = " ".join(lowers)
    conditional = bool(re.search(r"\b(?:if|unless|whether)\b", text))
    for tok in sent:
        if tok.pos_ not in {"VERB", "AUX"} or tok.lemma_.lower() not in ACTION_VERBS or tok.tag_ != "VB":
            continue
        if _is_negated(tok):
            continue
        before = lowers[max(0, tok.i - sent.start - 5) : tok.i - sent.start]
        # "let's book", "let me send", "let us set up"
        if "let" in before[-3:]:
            return tok
        subj = _subject(tok)
        subj_text = subj.lower_ if subj is not None else ""
        future = any(w in _FUTURE_MARKERS for w in before) or (
            "want" in before or "need" in before or "can" in before or "could" in before or "should" in before
        )
        if subj_text in _FIRST_PERSON and future and not conditional:
            return tok
        # Joint proposals as questions: "shall we meet Tuesday?", "can we schedule a call?"
        if subj_text == "we" and any(w in {"shall", "should", "can", "could"} for w in before[-3:]):
            return tok
    return None


def _action_text(verb: Token) -> str:
    """The verb with its particles and objects: "send the proposal", "set up a call"."""
    keep = {"prt", "dobj", "dative", "prep", "compound:prt", "xcomp", "ccomp", "advmod", "npadvmod"}
    parts = [verb]
    for child in verb.children:
        if child.dep_ in keep and child.i > verb.i:
            parts.extend(child.subtree)
    last = max(t.i for t in parts)
    span = verb.doc[verb.i : last + 1]
    while len(span) > 1 and span[-1].is_punct:
        span = span[:-1]
    return span[:16].text


def date_phrase(sent: Span) -> str | None:
    """The first future-looking date or time expression in the sentence."""
    for ent in sent.ents:
        if ent.label_ in {"DATE", "TIME"} and not _NOT_DATE_ENTITY.search(ent.text):
            # Keep the preposition that makes it a deadline: "by Friday", "before the 15th".
            prev = ent.doc[ent.start - 1] if ent.start > sent.start else None
            if prev is not None and prev.lower_ in _DEADLINE_PREPOSITIONS:
                return f"{prev.text} {ent.text}"
            return ent.text
    match = _DATE_PATTERN.search(sent.text)
    return match.group(0) if match else None


def find_next_steps(sentences: Sequence[Sentence]) -> list[NextStep]:
    """Commitments in the given sentences, in order; `speaker` is who committed."""
    steps: list[NextStep] = []
    for s in sentences:
        if s.span._.is_rhetorical:
            continue
        verb = _commitment_verb(s.span)
        if verb is None:
            continue
        steps.append(
            NextStep(
                speaker=s.speaker,
                start=s.start,
                end=s.end,
                text=s.text,
                action=_action_text(verb),
                date_phrase=date_phrase(s.span),
            )
        )
    return steps
