"""Questions phrased as invitations or first-person asks rather than in question form:
"walk me through ...", "tell me about ...", "help me understand ...", "I'd love to hear how ...",
"I'm curious what ..." (open), and "I was wondering whether your team ..." (yes/no)."""

from __future__ import annotations

from spacy.tokens import Token

from bench.question_rules.syntax import (
    CURIOUS,
    PROMPT_VERBS,
    SUBJECT_DEPS,
    WANT_TO_KNOW,
    WH_WORDS,
    joined,
    norm,
)


def prompt_for_open_answer(toks: list[Token]) -> bool:
    """Imperative or first-person invitations: "walk me through ...", "tell me about ...",
    "help me understand ...", "I'd love to hear how ...", "I'm curious what ..."."""
    words = [norm(t) for t in toks]
    if not words:
        return False
    if words[0] in {"please"}:
        words, toks = words[1:], toks[1:]
        if not words:
            return False
    lemma0 = toks[0].lemma_.lower()
    if lemma0 in PROMPT_VERBS and toks[0].tag_ in {"VB", "VBP"} and len(words) >= 3:
        follow = set(words[1:5])
        if lemma0 == "help":
            return "understand" in follow or "see" in follow
        if lemma0 in {"give", "paint"}:
            return bool(follow & {"sense", "idea", "overview", "picture", "rundown", "background"}) or (
                lemma0 == "give" and "example" in words
            )
        if lemma0 in {"tell", "walk", "talk", "take"}:
            return bool(follow & {"me", "us"}) and bool(
                set(words[2:6]) & ({"about", "through", "more", "a", "how", "why", "what", "where", "when"}
                                   | {"who", "which", "your", "something"})
            )
        if lemma0 in {"share", "expand", "elaborate"}:
            return bool(follow & {"more", "how", "what", "why", "your", "on", "a"})
        return toks[0].tag_ == "VB" and not any(t.dep_ in SUBJECT_DEPS for t in toks[:2])
    # "I'd love to hear ...", "I want to understand ...", "I'm curious what ...".
    if words[0] in {"i", "we", "i'd", "i'm"} and bool({"you", "your", "y'all", "yours"} & set(words)):
        text = joined(words[:8])
        curious = any(w in CURIOUS for w in words[1:4]) or (
            # "I was wondering what ..." asks; "I wonder how they'll cope" muses.
            "wondering" in words[2:4] and bool({"was", "were"} & set(words[1:3]))
        )
        if curious and any(w in WH_WORDS | {"about"} for w in words[2:6]):
            return not {"if", "whether"} & set(words[2:6])
        if any(x in text for x in ("love to", "like to", "want to", "need to")) and any(
            w in WANT_TO_KNOW for w in words[2:6]
        ):
            return any(w in WH_WORDS | {"about", "more"} for w in words[3:8])
    return False


def asks_whether(toks: list[Token]) -> bool:
    """First-person wondering about the listener: "I'm curious if you've tried ...",
    "I was wondering whether your team ..."."""
    words = [norm(t) for t in toks[:8]]
    if not words or words[0] not in {"i", "we"} or not {"you", "your", "y'all"} & {norm(t) for t in toks}:
        return False
    curious = "curious" in words[1:4] or ("wondering" in words[2:4] and bool({"was", "were", "'m", "am"} & set(words[1:3])))
    return curious and bool({"if", "whether"} & set(words[2:6]))
