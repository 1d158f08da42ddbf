"""Syntax rules that decide whether a parsed sentence is a question, and of which type.

The rules are the project's own (no statistical model trained on dialogue-act corpora). They read
the spaCy parse of one sentence: the first content word after discourse markers ("so", "uh",
"well"), whether it is a wh-word or a finite auxiliary followed by its subject (inversion), "or"
alternatives, tag endings ("..., right?", "isn't it?") and the final "?" when there is one.
Everything works on lower-case text without punctuation too, where the parse is all there is.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from nlp.types import QuestionType

WH_WORDS = frozenset({"what", "why", "how", "where", "when", "who", "whom", "whose", "which", "whatever"})
# Finite forms only: a base-form "do"/"be" first is an imperative ("Do let me know", "Be ready").
_FINITE_TAGS = frozenset({"VBZ", "VBP", "VBD", "MD"})
_AUX_LEMMAS = frozenset(
    {"be", "do", "have", "can", "could", "will", "would", "shall", "should", "may", "might", "must", "ca", "wo"}
)
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "expl", "csubj"})
# Words that open a sentence without changing its form: "So what do you...", "Uh, is it...".
_DISCOURSE = frozenset(
    {
        "uh", "um", "uhm", "erm", "er", "ah", "oh", "well", "so", "and", "but", "okay", "ok", "now", "then",
        "yeah", "yes", "alright", "hey", "hmm", "anyway", "also", "just", "like", "because", "cause",
        "actually", "first", "second", "finally", "great", "right", "sure", "mm", "huh",
    }
)
# Two-word openers handled together so that "you know" / "I mean" are skipped but "you know what
# I mean" is not mistaken for an opener followed by a wh-question.
_DISCOURSE_PAIRS = frozenset({("you", "know"), ("i", "mean"), ("all", "right"), ("and", "so")})
# Imperatives and first-person statements that invite an open answer.
_PROMPT_VERBS = frozenset(
    {"tell", "walk", "talk", "describe", "explain", "share", "help", "give", "take", "elaborate", "expand",
     "paint", "unpack", "clarify"}
)
_WANT_TO_KNOW = frozenset({"hear", "understand", "know", "learn", "get"})
_CURIOUS = frozenset({"curious", "interested", "wondering", "wonder"})
_TAG_WORDS = frozenset({"right", "correct", "yeah", "no", "huh", "eh", "okay", "ok", "yes", "true"})
_TAG_PRONOUNS = frozenset({"i", "you", "we", "they", "he", "she", "it", "there", "that"})
# "or" that closes a yes/no question instead of offering an alternative: "or not", "or something".
_OR_VAGUE = frozenset(
    {"not", "something", "anything", "whatever", "so", "otherwise", "what", "anybody", "anyone", "else", "no"}
)
_REPORT_VERBS = frozenset({"say", "ask", "think", "tell", "go", "wonder", "be"})


@dataclass(frozen=True, slots=True)
class QuestionReading:
    """What the rules found in one sentence."""

    type: QuestionType | None
    is_backchannel: bool = False
    is_rhetorical: bool = False


def _norm(token: Token) -> str:
    return token.lower_.replace("\u2019", "'")


def content_tokens(sent: Span) -> list[Token]:
    """The sentence without punctuation and leading discourse markers."""
    toks = [t for t in sent if not (t.is_punct or t.is_space)]
    i = 0
    while i < len(toks):
        pair = (_norm(toks[i]), _norm(toks[i + 1])) if i + 1 < len(toks) else None
        if pair in _DISCOURSE_PAIRS:
            # "you know what I mean?" keeps its "you know".
            if pair == ("you", "know") and i + 2 < len(toks) and _norm(toks[i + 2]) in WH_WORDS:
                break
            i += 2
            continue
        word = _norm(toks[i])
        if i + 1 < len(toks) and (word in _DISCOURSE or toks[i].pos_ == "INTJ"):
            if word in {"right", "like", "just"} and toks[i].pos_ not in {"INTJ", "ADV", "CCONJ", "SCONJ"}:
                break
            i += 1
            continue
        break
    return toks[i:]


def ends_with_question_mark(sent: Span) -> bool:
    for t in reversed(sent):
        if t.is_space:
            continue
        if t.is_punct:
            if "?" in t.text:
                return True
            continue
        return False
    return False


def _has_punctuation(sent: Span) -> bool:
    return any(t.text in {".", "?", "!", ","} for t in sent.doc)


def _is_finite_aux(token: Token) -> bool:
    return (token.lemma_.lower() in _AUX_LEMMAS or _norm(token) in {"ca", "wo"}) and (
        token.tag_ in _FINITE_TAGS or token.pos_ == "AUX"
    )


def is_inverted(toks: list[Token]) -> bool:
    """A finite auxiliary first, then its subject before any main verb: "Is budget approved",
    "do you use", "have you guys looked", "can't we"."""
    if not toks or not _is_finite_aux(toks[0]):
        return False
    if toks[0].tag_ == "VB":  # imperative: "Do let me know"
        return False
    for tok in toks[1:6]:
        if tok.dep_ in _SUBJECT_DEPS or (tok.pos_ == "PRON" and _norm(tok) in _TAG_PRONOUNS | {"anyone", "anybody"}):
            return True
        if _norm(tok) in {"n't", "not", "'t", "nt"}:
            continue
        if tok.pos_ in {"VERB", "AUX"} and tok.dep_ not in _SUBJECT_DEPS:
            return False
    return False


def _wh_question(toks: list[Token], question_mark: bool) -> bool:
    """A wh-word that opens a direct question, not a free relative ("What I do is ...") or an
    adverbial clause ("When I was there, ...")."""
    first = toks[0]
    if _norm(first) not in WH_WORDS or _norm(first) == "whatever":
        return False
    rest = toks[1:]
    if not rest:
        return question_mark  # "Why?" / "How?"
    nxt = _norm(rest[0])
    if nxt in {"about", "else", "'s", "is", "'re", "are", "was", "were", "if", "so", "exactly", "kind", "sort",
               "type", "come"}:
        return nxt != "if" or question_mark
    # "how many people do you", "which tool did", "what time is": skip the wh-phrase's noun.
    i = 0
    while i < len(rest) and rest[i].pos_ in {"NOUN", "ADJ", "ADV", "DET", "NUM", "PROPN"} and i < 3:
        if rest[i].dep_ in _SUBJECT_DEPS:
            return True  # "which vendor handles ..."
        i += 1
    if i < len(rest) and is_inverted(rest[i:]):
        return True
    if first.dep_ in _SUBJECT_DEPS or (i < len(rest) and rest[i].pos_ in {"VERB", "AUX"}
                                       and not any(t.dep_ in _SUBJECT_DEPS for t in rest[:i])
                                       and rest[i].tag_ in _FINITE_TAGS):
        # "What prompted you", "who handles billing": the wh-word is the subject.
        return True
    return question_mark


def _prompt_for_open_answer(toks: list[Token]) -> bool:
    """Imperative or first-person invitations: "walk me through ...", "tell me about ...",
    "help me understand ...", "I'd love to hear how ...", "I'm curious what ..."."""
    words = [_norm(t) for t in toks]
    if not words:
        return False
    if words[0] in {"please"}:
        words, toks = words[1:], toks[1:]
        if not words:
            return False
    lemma0 = toks[0].lemma_.lower()
    if lemma0 in _PROMPT_VERBS and toks[0].tag_ in {"VB", "VBP"} and len(words) >= 3:
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
        return True
    # "I'd love to hear ...", "I want to understand ...", "I'm curious what ...".
    if words[0] in {"i", "we", "i'd", "i'm"}:
        text = " ".join(words[:8])
        if any(w in _CURIOUS for w in words[1:4]) and any(w in WH_WORDS | {"about"} for w in words[2:6]):
            return "if" not in words[2:6]
        if any(x in text for x in ("love to", "like to", "want to", "need to")) and any(
            w in _WANT_TO_KNOW for w in words[2:6]
        ):
            return any(w in WH_WORDS | {"about", "more"} for w in words[3:8])
    return False


def _or_alternative(toks: list[Token]) -> bool:
    """An "or" joining two real alternatives ("Salesforce or HubSpot"), not "or not"/"or something"."""
    for i, tok in enumerate(toks):
        if _norm(tok) != "or" or i == 0 or i + 1 >= len(toks):
            continue
        nxt = _norm(toks[i + 1])
        if nxt in _OR_VAGUE or (tok.i + 1 < len(tok.doc) and _norm(tok.doc[tok.i + 1]) in _OR_VAGUE):
            continue
        if toks[i - 1].like_num and toks[i + 1].like_num:
            continue  # "one or two" is an estimate, not a choice
        return True
    return False


def _tag_ending(sent: Span, toks: list[Token], question_mark: bool) -> bool:
    """"..., right?", "..., isn't it?", "you use HubSpot, don't you?"."""
    if len(toks) < 3:
        return False
    words = [_norm(t) for t in toks]
    body = toks[:-1]
    has_clause = any(t.dep_ in _SUBJECT_DEPS for t in body) and any(t.pos_ in {"VERB", "AUX"} for t in body)
    if not has_clause or is_inverted(toks) or _norm(toks[0]) in WH_WORDS:
        return False
    last = toks[-1]
    before_last = sent.doc[last.i - 1] if last.i > 0 else None
    comma_before = before_last is not None and before_last.text == ","
    if words[-1] in _TAG_WORDS and (question_mark and comma_before):
        return True
    if not _has_punctuation(sent) and words[-1] == "right" and last.dep_ in {"intj", "advmod", "npadvmod"}:
        return words[-2] not in {"that's", "'s", "'re", "is", "are", "all", "exactly", "just", "you", "alright"}
    # aux (+n't) + pronoun: "isn't it", "don't you", "wouldn't you say"
    if words[-1] in _TAG_PRONOUNS and len(toks) >= 4:
        aux_i = len(toks) - 2
        if words[aux_i] in {"n't", "not"}:
            aux_i -= 1
        aux = toks[aux_i]
        neg = words[aux_i + 1] in {"n't", "not"} or words[aux_i].endswith("n't")
        if _is_finite_aux(aux) and aux_i >= 2 and (neg or question_mark):
            pre = sent.doc[aux.i - 1]
            return pre.text == "," or not _has_punctuation(sent)
    return False


_BACKCHANNEL_WORDS = frozenset(
    {"really", "seriously", "yeah", "yes", "no", "right", "huh", "sure", "okay", "ok", "what", "pardon",
     "sorry", "true", "wow", "yep", "nope", "hmm", "mhm"}
)
_BACKCHANNEL_PHRASES = frozenset(
    {"is that right", "is that so", "is that true", "is that correct", "is that a fact", "no kidding",
     "no way", "you think so", "excuse me", "oh yeah", "oh really", "are you serious", "is that it",
     "is that right then", "how about that", "you know", "is that what it is", "oh my gosh", "oh my god"}
)


def is_backchannel(sent: Span, toks: list[Token]) -> bool:
    """Short reactions in question form: "Really?", "Oh, is that right?", "Did you?", "You do?"."""
    words = [_norm(t) for t in toks]
    allw = [_norm(t) for t in sent if not (t.is_punct or t.is_space)]
    if not allw or len(allw) > 5:
        return False
    if not words:
        return all(w in _BACKCHANNEL_WORDS | _DISCOURSE for w in allw)
    text = " ".join(words)
    if text in _BACKCHANNEL_PHRASES or " ".join(allw) in _BACKCHANNEL_PHRASES:
        return True
    if len(words) == 1 and words[0] in _BACKCHANNEL_WORDS:
        return True
    if len(words) == 2:
        a, b = toks
        if _is_finite_aux(a) and _norm(b) in _TAG_PRONOUNS:  # "Did you?", "Is it?"
            return True
        if _norm(a) in _TAG_PRONOUNS and _is_finite_aux(b):  # "You do?", "It was?"
            return True
    # "Didn't you?"
    return len(words) == 3 and _is_finite_aux(toks[0]) and words[1] in {"n't", "not"} and words[2] in _TAG_PRONOUNS


_RHETORICAL = (
    "who knows", "who cares", "guess what", "you know what", "what can you do", "what else is new",
    "who would have thought", "who would've thought", "what's the point", "can you imagine",
    "how cool is that", "isn't that something", "go figure", "what can i say", "what more can you ask",
    "why not", "how great is that", "what could go wrong", "who doesn't", "who wouldn't",
    "what are you gonna do", "what are you going to do", "the question is", "question is",
)


def is_rhetorical_form(sent: Span, toks: list[Token]) -> bool:
    """Fixed rhetorical questions ("Who knows?", "Guess what?") and reported ones
    ("I said, why would we pay that?")."""
    text = " ".join(_norm(t) for t in toks)
    if any(text == r or text.startswith(r + " ") and r in {"the question is", "question is", "guess what",
                                                             "you know what"} for r in _RHETORICAL):
        return not text.startswith("you know what i mean")
    # Reported speech: a saying verb with a first/third person subject before a comma.
    for tok in toks[:5]:
        if tok.lemma_.lower() in _REPORT_VERBS and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].text in {",", ":"}:
            subj = [c for c in tok.children if c.dep_ in _SUBJECT_DEPS]
            if subj and _norm(subj[0]) in {"i", "he", "she", "they", "we"} and tok.tag_ in {"VBD", "VBZ"}:
                return True
    return False


def read_question(sent: Span) -> QuestionReading:
    """Classify one sentence (see the module docstring)."""
    question_mark = ends_with_question_mark(sent)
    toks = content_tokens(sent)
    if is_backchannel(sent, toks):
        return QuestionReading(None, is_backchannel=question_mark or len(toks) <= 2)
    if not toks:
        return QuestionReading(None)
    if is_rhetorical_form(sent, toks):
        return QuestionReading(None, is_rhetorical=True)
    starts_with_or = any(_norm(t) == "or" for t in sent[:3])
    inverted = is_inverted(toks)
    if _norm(toks[0]) in WH_WORDS and _wh_question(toks, question_mark):
        if _norm(toks[0]) == "which" and _or_alternative(toks):
            return QuestionReading("choice")
        return QuestionReading("open")
    if inverted and len(toks) > 2 and toks[2].lemma_.lower() in _PROMPT_VERBS and _prompt_for_open_answer(toks[2:]):
        return QuestionReading("open")  # "Can you walk me through ...?"
    if _prompt_for_open_answer(toks):
        return QuestionReading("open")
    if inverted:
        if starts_with_or or _or_alternative(toks):
            return QuestionReading("choice")
        return QuestionReading("yes_no")
    if _tag_ending(sent, toks, question_mark):
        return QuestionReading("tag")
    if question_mark:
        if starts_with_or:
            return QuestionReading("choice")
        # Wh-word in place: "You do what?", "and that costs how much?"
        if any(_norm(t) in WH_WORDS for t in toks[1:]) and _norm(toks[-1]) in WH_WORDS | {"much", "many", "long"}:
            return QuestionReading("open")
        has_subject = any(t.dep_ in _SUBJECT_DEPS for t in toks)
        has_verb = any(t.pos_ in {"VERB", "AUX"} for t in toks)
        if has_subject and has_verb:
            return QuestionReading("declarative")
        return QuestionReading("yes_no")  # elliptical: "Any questions?", "Anything else?"
    return QuestionReading(None)
