"""Sentences in question form that are not questions to count: backchannels ("Really?", "Oh, is
that right?"), fixed rhetorical and reported questions, and greetings ("How are you?")."""

from __future__ import annotations

from spacy.tokens import Span, Token

from bench.question_rules.syntax import (
    DISCOURSE,
    QUOTING_VERBS,
    REPORT_VERBS,
    SUBJECT_DEPS,
    TAG_PRONOUNS,
    is_finite_aux,
    is_inverted,
    joined,
    norm,
)

_BACKCHANNEL_WORDS = frozenset(
    {"really", "seriously", "yeah", "yes", "no", "right", "huh", "sure", "okay", "ok", "what", "pardon",
     "sorry", "true", "wow", "yep", "nope", "hmm", "mhm"}
)
_BACKCHANNEL_PHRASES = frozenset(
    {"is that right", "is that so", "is that true", "is that correct", "is that a fact", "no kidding",
     "no way", "you think so", "excuse me", "oh yeah", "oh really", "are you serious", "is that it",
     "is that right then", "how about that", "you know", "is that what it is", "oh my gosh", "oh my god",
     "i'm sorry", "pardon me", "come again", "say again", "sorry what", "you don't", "you didn't",
     "they don't", "it doesn't", "you aren't", "isn't it though", "is it really", "what's that", "what was that",
     "what is that", "who", "say that again", "what did you say", "do you think", "don't you think"}
)


def is_backchannel(sent: Span, toks: list[Token]) -> bool:
    """Short reactions in question form: "Really?", "Oh, is that right?", "Did you?", "You do?"."""
    words = [norm(t) for t in toks]
    allw = [norm(t) for t in sent if not (t.is_punct or t.is_space)]
    if not allw or len(allw) > 5:
        return False
    if not words:
        return all(w in _BACKCHANNEL_WORDS | DISCOURSE for w in allw)
    text = joined(words)
    if text in _BACKCHANNEL_PHRASES or joined(allw) in _BACKCHANNEL_PHRASES:
        return True
    if len(words) == 1 and words[0] in _BACKCHANNEL_WORDS:
        return True
    if len(words) == 2:
        a, b = toks
        if is_finite_aux(a) and norm(b) in TAG_PRONOUNS:  # "Did you?", "Is it?"
            return True
        if norm(a) in TAG_PRONOUNS and is_finite_aux(b):  # "You do?", "It was?"
            return True
    # "Didn't you?"
    return len(words) == 3 and is_finite_aux(toks[0]) and words[1] in {"n't", "not"} and words[2] in TAG_PRONOUNS


_RHETORICAL = (
    "who knows", "who cares", "guess what", "you know what", "what can you do", "what else is new",
    "who would have thought", "who would've thought", "what's the point", "can you imagine",
    "how cool is that", "isn't that something", "go figure", "what can i say", "what more can you ask",
    "why not", "how great is that", "what could go wrong", "who doesn't", "who wouldn't",
    "what are you gonna do", "what are you going to do", "shall we say",
    "talk about", "would you believe", "what's new", "how about that", "who would",
)


_RHETORICAL_PREFIXES = frozenset({"guess what", "you know what",
                                  "can you imagine", "who knows", "shall we say", "talk about"})


def is_rhetorical_form(sent: Span, toks: list[Token]) -> bool:
    """Fixed rhetorical questions ("Who knows?", "Guess what?") and reported ones
    ("I said, why would we pay that?")."""
    text = joined([norm(t) for t in toks])
    if any(text == r or text.startswith(r + " ") and r in _RHETORICAL_PREFIXES for r in _RHETORICAL):
        # "You know, what do you see ...?" is a question with a filler in front, not "You know what? ..."
        prefaced = text.startswith("you know what ") and is_inverted(toks[3:])
        return not (text.startswith("you know what i mean") or prefaced)
    # Reported speech: a saying verb with a first/third person subject before a comma.
    for tok in toks[:5]:
        if tok.lemma_.lower() in REPORT_VERBS and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].text in {",", ":"}:
            subj = [c for c in tok.children if c.dep_ in SUBJECT_DEPS]
            if subj and norm(subj[0]) in {"i", "he", "she", "they", "we"} and tok.tag_ in {"VBD", "VBZ"}:
                return True
    return _quoted_without_comma(sent)


_QUOTING_TAGS = frozenset({"VBD", "VBZ", "VBP", "VBG"})
_INTERJECTIONS = frozenset({"oh", "well", "hey", "like", "um", "uh", "look", "listen", "now", "okay", "so"})


def _quoted_without_comma(sent: Span) -> bool:
    """A question quoted straight after a saying verb, as transcripts without punctuation give it:
    "he goes do you want to dance", "they kept saying are you getting rid of your cats". The
    speaker reports a question; they do not ask the listener one."""
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    for i, tok in enumerate(words[:-2]):
        if tok.lemma_.lower() not in QUOTING_VERBS or tok.tag_ not in _QUOTING_TAGS:
            continue
        if tok.dep_ in {"csubj", "relcl", "advcl"}:
            continue  # "what he said is ...", "the things that he said is ...", "as I said"
        if tok.lemma_.lower() == "go" and any(c.dep_ in {"xcomp", "prep", "advmod", "dobj"} for c in tok.children
                                              if c.i < tok.i + 2):
            continue  # "we go to the lake", "it goes well"
        if any(norm(c) in {"you", "y'all"} for c in tok.children if c.dep_ in SUBJECT_DEPS):
            continue  # "you said is it ..." checks what the listener said
        j = i + 1
        while j < len(words) - 1 and norm(words[j]) in _INTERJECTIONS:
            j += 1
        if j < len(words) - 1 and is_finite_aux(words[j]) and norm(words[j + 1]) in TAG_PRONOUNS | {"y'all"}:
            return True
    return False


_GREETINGS = ("how are you", "how are you doing", "how are you today", "how are you doing today", "how's it going",
              "how is it going", "how have you been", "how are things", "how's everything", "how are ya",
              "how you doing", "how are you guys", "how are you guys doing")


def is_greeting(clause: list[Token]) -> bool:
    """"How are you?" opens a call; it is not a discovery question."""
    return joined([norm(t) for t in clause[:5]]) in _GREETINGS
